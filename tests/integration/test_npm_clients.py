"""The daemon driven by the npm clients that browser and Node apps use:
amazon-cognito-identity-js (CognitoUserPool, CognitoUser and their
callbacks) and @aws-sdk/client-cognito-identity-provider (the AWS SDK for
JavaScript v3), each pointed at the server with its `endpoint` option,
over HTTPS with the daemon's self-signed certificate trusted through
NODE_EXTRA_CA_CERTS.

The clients live in tests/clients/ (package.json with exact versions,
package-lock.json); `npm ci` installs them into tests/clients/node_modules
once per session when that is missing or was installed from another lock
file. Each test makes a pool and an app client, runs one scenario of a
Node script (identity_js.js or sdk_v3.js) and checks the JSON it prints:
every step's result or error, and the tokens verified with PyJWT against
the pool's JWKS. Needs Debian's nodejs and npm (node 18 or later) and the
npm registry.
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import uuid

import jwt
import pytest

from conftest import (PASSWORD, REPO, TEMP, UUID, attrs_of, daemon_env,
                      make_user)

CLIENTS = os.path.join(REPO, "tests", "clients")
NODE_MODULES = os.path.join(CLIENTS, "node_modules")
# What node_modules was installed from; a different one means npm ci again.
STAMP = os.path.join(NODE_MODULES, ".userpoold-stamp")
NPM_TIMEOUT = 600
NODE_TIMEOUT = 60

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
         "ALLOW_USER_SRP_AUTH"]
NEW_PASSWORD = "N3w-Horse!!9"
def install_stamp(node):
    """Hash of the lock, the manifest and node's version."""
    h = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        with open(os.path.join(CLIENTS, name), "rb") as f:
            h.update(f.read())
    h.update(subprocess.run([node, "--version"], capture_output=True,
                            check=True).stdout)
    return h.hexdigest()


@pytest.fixture(scope="session")
def node():
    """node, with the clients installed by npm ci when needed."""
    return node_with_clients()


def node_with_clients():
    """The path of node, after npm ci into tests/clients/node_modules if
    that is missing or stale; skips when node or npm is not installed.
    A plain function, for fixtures that need node without the `node`
    fixture (which marks a test js_clients)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are not installed (Debian's nodejs and "
                    "npm packages)")
    want = install_stamp(node)
    # Two sessions in one checkout install one after the other.
    with open(os.path.join(CLIENTS, "package-lock.json")) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(STAMP) as f:
                have = f.read().strip()
        except OSError:
            have = None
        if have != want:
            npm_ci(npm, want)
    return node


def npm_ci(npm, stamp):
    """npm ci into tests/clients/node_modules, then write the stamp."""
    r = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENTS,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=NPM_TIMEOUT,
        env=dict(os.environ, npm_config_update_notifier="false"))
    if r.returncode != 0:
        pytest.fail("npm ci in %s failed (%d):\n%s\n%s"
                    % (CLIENTS, r.returncode, r.stdout[-3000:],
                       r.stderr[-3000:]))
    with open(STAMP, "w") as f:
        f.write(stamp + "\n")


class App:
    """A pool with AutoVerifiedAttributes email and a public app client
    (password, refresh and SRP flows, no secret)."""

    def __init__(self, server, make_pool, idp):
        self.server = server
        self.idp = idp
        self.pool_id = make_pool(AutoVerifiedAttributes=["email"])["Id"]
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="web",
            ExplicitAuthFlows=FLOWS,
            PreventUserExistenceErrors="LEGACY")["UserPoolClient"][
            "ClientId"]

    def user(self, confirmed=True):
        """A user with a verified email; (username, email). Unconfirmed
        users keep the temporary password TEMP."""
        name = "user-%s" % uuid.uuid4().hex[:10]
        email = "%s@example.com" % name
        make_user(self.idp, self.pool_id, name, email, confirmed)
        return name, email

    def claims(self, token, use):
        """Verify a token as a relying party does (JWKS signature, iss,
        exp, token_use, audience or client_id); its claims."""
        r = self.server.request(
            "GET", "/%s/.well-known/jwks.json" % self.pool_id)
        jwks = jwt.PyJWKSet.from_dict(r.json())
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in jwks.keys if k.key_id == kid)
        issuer = "%s/%s" % (self.server.https, self.pool_id)
        opts = {"require": ["exp", "iat", "iss", "sub", "jti"]}
        if use == "id":
            c = jwt.decode(token, key.key, algorithms=["RS256"],
                           audience=self.client_id, issuer=issuer,
                           options=opts)
        else:
            c = jwt.decode(token, key.key, algorithms=["RS256"],
                           issuer=issuer,
                           options=dict(opts, verify_aud=False))
            assert c["client_id"] == self.client_id
        assert c["token_use"] == use
        assert c["exp"] > time.time()
        return c

    def run(self, node, script, scenario, trust=True, timeout=NODE_TIMEOUT,
            **params):
        """Run a scenario of tests/clients/SCRIPT, with the server's
        certificate trusted unless told otherwise; a Result."""
        server = self.server
        key_id, secret = server.admin_credentials()
        # Nothing from the caller's AWS or Node set-up: no endpoint,
        # profile or key of theirs, no NODE_TLS_REJECT_UNAUTHORIZED.
        env = {k: v for k, v in daemon_env().items()
               if not k.startswith(("AWS_", "NODE_"))}
        env.update({
            "COGNITO_ENDPOINT": server.https,
            "COGNITO_POOL_ID": self.pool_id,
            "COGNITO_CLIENT_ID": self.client_id,
            "OUTBOX_DIR": server.outbox_dir,
            "ADMIN_KEY_ID": key_id,
            "ADMIN_SECRET": secret,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        if trust:
            env["NODE_EXTRA_CA_CERTS"] = server.cacert
        # The file's shared Chromium (test_browser.py), if it has one.
        if getattr(self, "browser_ws", None):
            env["BROWSER_WS"] = self.browser_ws
        r = subprocess.run(
            [node, os.path.join(CLIENTS, script), scenario,
             json.dumps(params)], cwd=CLIENTS, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=timeout)
        lines = r.stdout.strip().splitlines()
        assert r.returncode == 0 and lines, \
            "node %s %s exited %d:\n%s\n%s" % (script, scenario,
                                               r.returncode, r.stdout,
                                               r.stderr)
        out = json.loads(lines[-1])
        assert "crash" not in out, "node %s %s crashed:\n%s\n%s" % (
            script, scenario, out["crash"], r.stderr)
        return Result(out)


class Result:
    """The steps a scenario recorded."""

    def __init__(self, out):
        self.out = out
        self.steps = out["steps"]

    def _step(self, name):
        s = self.steps.get(name)
        assert s is not None, "step %s did not run; aborted at %s: %r" % (
            name, self.out["aborted"],
            self.steps.get(self.out["aborted"]))
        return s

    def value(self, name):
        """The value of a step that had to succeed."""
        s = self._step(name)
        assert s["ok"], "step %s failed: %r" % (name, s["error"])
        return s["value"]

    def error(self, name):
        """The error of a step that had to fail."""
        s = self._step(name)
        assert not s["ok"], "step %s succeeded: %r" % (name, s["value"])
        return s["error"]


@pytest.fixture
def app(server, make_pool, idp):
    return App(server, make_pool, idp)


def fresh_name(tag):
    return "%s-%s" % (tag, uuid.uuid4().hex[:10])


def sdk_error(err, name):
    """An SDK v3 service exception: its class name, a 400, a client
    fault."""
    assert err["name"] == name, err
    assert err["status"] == 400 and err["fault"] == "client", err


def js_error(err, name):
    """An amazon-cognito-identity-js error: name and code."""
    assert err["name"] == err["code"] == name, err


# -- amazon-cognito-identity-js ------------------------------------------

def test_js_sign_up_confirm_profile_and_password(server, node, app):
    """signUp with attributes, the code by email, confirmRegistration,
    USER_PASSWORD_AUTH sign-in, getUserAttributes, updateAttributes,
    changePassword."""
    name = fresh_name("js")
    email = name + "@example.com"
    r = app.run(node, "identity_js.js", "signup_and_profile", username=name,
                email=email, givenName="Ann", newGivenName="Anna",
                password=PASSWORD, newPassword=NEW_PASSWORD)
    up = r.value("signUp")
    assert up["username"] == name and up["userConfirmed"] is False
    assert UUID.match(up["userSub"])
    assert up["codeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert up["codeDeliveryDetails"]["AttributeName"] == "email"
    assert r.value("outboxCode") == server.wait_code(email)
    assert r.value("confirmRegistration") == "SUCCESS"

    t = r.value("authenticateUser")
    assert t["valid"] is True and t["refresh"]
    idc = app.claims(t["id"], "id")
    at = app.claims(t["access"], "access")
    assert idc["sub"] == at["sub"] == up["userSub"]
    assert idc["cognito:username"] == at["username"] == name
    assert idc["email"] == email and idc["email_verified"] is True
    assert idc["given_name"] == "Ann"
    assert at["scope"] == "aws.cognito.signin.user.admin"

    attrs = r.value("getUserAttributes")
    assert attrs["sub"] == up["userSub"] and attrs["email"] == email
    assert attrs["email_verified"] == "true"
    assert attrs["given_name"] == "Ann"
    assert r.value("updateAttributes") == "SUCCESS"
    assert r.value("getUserAttributesAfterUpdate")["given_name"] == "Anna"
    user = app.idp.admin_get_user(UserPoolId=app.pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs_of(user)["given_name"] == "Anna"

    assert r.value("changePassword") == "SUCCESS"
    js_error(r.error("authenticateOldPassword"), "NotAuthorizedException")
    t2 = r.value("authenticateNewPassword")
    assert app.claims(t2["id"], "id")["given_name"] == "Anna"


def test_js_session_refresh_and_global_sign_out(node, app):
    """getSession from the library's cache, refreshSession,
    getCurrentUser, globalSignOut; the refresh token is refused after it
    (the library retries that refresh for about six seconds)."""
    name, _ = app.user()
    r = app.run(node, "identity_js.js", "session", username=name,
                password=PASSWORD)
    first = r.value("authenticateUser")
    assert r.value("getSessionCached")["access"] == first["access"]

    fresh = r.value("refreshSession")
    assert fresh["valid"] is True
    assert fresh["access"] != first["access"]
    assert fresh["refresh"] == first["refresh"]  # no rotation
    old_at = app.claims(first["access"], "access")
    at = app.claims(fresh["access"], "access")
    idc = app.claims(fresh["id"], "id")
    assert at["sub"] == idc["sub"] == old_at["sub"]
    assert at["origin_jti"] == old_at["origin_jti"]
    assert at["auth_time"] == old_at["auth_time"]
    assert r.value("getSessionAfterRefresh")["access"] == fresh["access"]
    assert r.value("getCurrentUser") == name

    assert r.value("globalSignOut") == "SUCCESS"
    assert r.value("getCurrentUserAfterSignOut") is None
    js_error(r.error("refreshAfterGlobalSignOut"), "NotAuthorizedException")
    res = app.server.api("GetUser", {"AccessToken": fresh["access"]},
                         signed=False)
    assert res.status == 400
    assert res.json()["__type"] == "NotAuthorizedException"


def test_js_sign_out_revokes_the_refresh_token(node, app):
    """signOut with a callback revokes the refresh token (RevokeToken),
    which the library does only when the access token has origin_jti."""
    name, _ = app.user()
    r = app.run(node, "identity_js.js", "sign_out_revoke", username=name,
                password=PASSWORD)
    t = r.value("authenticateUser")
    assert app.claims(t["access"], "access")["origin_jti"]
    assert r.value("signOut") == "SUCCESS"
    assert r.value("getCurrentUserAfterSignOut") is None
    js_error(r.error("refreshAfterSignOut"), "NotAuthorizedException")


def test_js_forgot_password(node, app):
    """forgotPassword, the code by email, confirmPassword; the new
    password signs in, the old one no longer does."""
    name, email = app.user()
    r = app.run(node, "identity_js.js", "forgot_password", username=name,
                email=email, password=PASSWORD, newPassword=NEW_PASSWORD)
    fp = r.value("forgotPassword")
    assert fp["via"] == "inputVerificationCode"
    details = fp["data"]["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["AttributeName"] == "email"
    assert r.value("outboxCode") == app.server.wait_code(email)
    assert r.value("confirmPassword") == "SUCCESS"
    js_error(r.error("authenticateOldPassword"), "NotAuthorizedException")
    t = r.value("authenticateNewPassword")
    assert app.claims(t["id"], "id")["cognito:username"] == name


def test_js_complete_new_password_challenge(server, node, app):
    """A user created with the AWS CLI signs in with the temporary
    password: newPasswordRequired, completeNewPasswordChallenge, tokens."""
    name = fresh_name("invited")
    email = name + "@example.com"
    server.aws("admin-create-user", "--user-pool-id", app.pool_id,
               "--username", name, "--temporary-password", TEMP,
               "--message-action", "SUPPRESS", "--user-attributes",
               "Name=email,Value=%s" % email,
               "Name=email_verified,Value=true")
    r = app.run(node, "identity_js.js", "new_password_required",
                username=name, tempPassword=TEMP, newPassword=NEW_PASSWORD)
    challenge = r.value("authenticateUser")
    assert challenge["userAttributes"]["email"] == email
    assert challenge["requiredAttributes"] == []
    t = r.value("completeNewPasswordChallenge")
    assert t["valid"] is True and t["refresh"]
    idc = app.claims(t["id"], "id")
    assert idc["cognito:username"] == name and idc["email"] == email
    app.claims(t["access"], "access")
    app.claims(r.value("authenticateNewPassword")["access"], "access")
    user = server.aws("admin-get-user", "--user-pool-id", app.pool_id,
                      "--username", name)
    assert user["UserStatus"] == "CONFIRMED"


def test_js_error_names(node, app):
    """The error names an app switches on: wrong password, unknown user,
    a taken username."""
    name, email = app.user()
    r = app.run(node, "identity_js.js", "errors", username=name,
                email=email, password=PASSWORD, wrongPassword="Wr0ng-pass!",
                unknown=fresh_name("nobody"))
    js_error(r.error("wrongPassword"), "NotAuthorizedException")
    js_error(r.error("unknownUser"), "UserNotFoundException")
    js_error(r.error("duplicateSignUp"), "UsernameExistsException")


def test_js_srp_sign_in(node, app):
    """authenticateUser with the library's default flow, USER_SRP_AUTH
    (PASSWORD_VERIFIER computed by the library)."""
    name, _ = app.user()
    r = app.run(node, "identity_js.js", "srp", username=name,
                password=PASSWORD)
    t = r.value("authenticateUser")
    assert app.claims(t["id"], "id")["cognito:username"] == name
    app.claims(t["access"], "access")
    assert r.value("getUserAttributes")["email_verified"] == "true"


def test_js_totp_mfa(server, node, app):
    """amazon-cognito-identity-js: an authenticator app set up after an
    SRP sign-in, then required at the next one (codes from oathtool)."""
    server.aws("set-user-pool-mfa-config", "--user-pool-id", app.pool_id,
               "--software-token-mfa-configuration", "Enabled=true",
               "--mfa-configuration", "OPTIONAL")
    name, _ = app.user()
    r = app.run(node, "identity_js.js", "totp_mfa", username=name,
                password=PASSWORD)
    assert r.value("verifySoftwareToken") == "SUCCESS"
    assert r.value("totpRequired") == "SOFTWARE_TOKEN_MFA"
    assert r.error("wrongCode")["code"] == "CodeMismatchException"
    t = r.value("sendMFACode")
    app.claims(t["access"], "access")


def test_js_sms_mfa(server, node, app):
    """amazon-cognito-identity-js: SMS MFA after SRP, the code read from
    the outbox, sendMFACode."""
    server.aws("set-user-pool-mfa-config", "--user-pool-id", app.pool_id,
               "--sms-mfa-configuration", json.dumps({
                   "SmsAuthenticationMessage": "Code: {####}",
                   "SmsConfiguration": {"SnsCallerArn":
                                        "arn:aws:iam::000000000000:role/s"}}),
               "--mfa-configuration", "OPTIONAL")
    name, _ = app.user()
    phone = "+1555%07d" % (uuid.uuid4().int % 10 ** 7)
    app.idp.admin_update_user_attributes(
        UserPoolId=app.pool_id, Username=name,
        UserAttributes=[{"Name": "phone_number", "Value": phone}])
    app.idp.admin_set_user_mfa_preference(
        UserPoolId=app.pool_id, Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    r = app.run(node, "identity_js.js", "sms_mfa", username=name,
                password=PASSWORD, phone=phone)
    assert r.value("mfaRequired")["name"] == "SMS_MFA"
    app.claims(r.value("sendMFACode")["access"], "access")


@pytest.mark.parametrize("bypass", [True, False])
def test_js_remembered_device_and_mfa(server, node, idp, bypass):
    """amazon-cognito-identity-js in a pool that tracks devices: the
    library confirms the new device after MFA, the app remembers it, and
    the next sign-in (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) asks for
    no code when the pool lets remembered devices bypass MFA
    (ChallengeRequiredOnNewDevice), and for a code otherwise; the tokens
    name the device either way."""
    pid = idp.create_user_pool(
        PoolName=fresh_name("dev"), DeviceConfiguration={
            "ChallengeRequiredOnNewDevice": bypass,
            "DeviceOnlyRememberedOnUserPrompt": True})["UserPool"]["Id"]
    try:
        app = App.__new__(App)
        app.server, app.idp, app.pool_id = server, idp, pid
        app.client_id = idp.create_user_pool_client(
            UserPoolId=pid, ClientName="web", ExplicitAuthFlows=FLOWS
        )["UserPoolClient"]["ClientId"]
        server.aws("set-user-pool-mfa-config", "--user-pool-id", pid,
                   "--sms-mfa-configuration", json.dumps({
                       "SmsAuthenticationMessage": "Code: {####}",
                       "SmsConfiguration": {
                           "SnsCallerArn":
                           "arn:aws:iam::000000000000:role/s"}}),
                   "--mfa-configuration", "OPTIONAL")
        name, _ = app.user()
        phone = "+1555%07d" % (uuid.uuid4().int % 10 ** 7)
        idp.admin_update_user_attributes(
            UserPoolId=pid, Username=name,
            UserAttributes=[{"Name": "phone_number", "Value": phone}])
        idp.admin_set_user_mfa_preference(
            UserPoolId=pid, Username=name,
            SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
        r = app.run(node, "identity_js.js", "remembered_device",
                    username=name, password=PASSWORD, phone=phone,
                    bypass=bypass)
        sent = r.value("sendMFACode")
        assert sent["confirmationNecessary"] is True and sent["deviceKey"]
        t = r.value("signInAgain")
        if not bypass:
            assert t == {"mfaAgain": "SMS_MFA"}
            t = r.value("sendMFACodeAgain")
        assert app.claims(t["access"], "access")["device_key"] == \
            sent["deviceKey"]
        devices = idp.admin_list_devices(UserPoolId=pid, Username=name)
        assert [d["DeviceKey"] for d in devices["Devices"]] == \
            [sent["deviceKey"]]
    finally:
        idp.delete_user_pool(UserPoolId=pid)


def test_sdk_srp_and_totp(server, node, app):
    """@aws-sdk/client-cognito-identity-provider at the wire level:
    USER_SRP_AUTH and PASSWORD_VERIFIER, an authenticator app, then
    SOFTWARE_TOKEN_MFA after SRP; a wrong password refused."""
    server.aws("set-user-pool-mfa-config", "--user-pool-id", app.pool_id,
               "--software-token-mfa-configuration", "Enabled=true",
               "--mfa-configuration", "OPTIONAL")
    name, _ = app.user()
    r = app.run(node, "sdk_v3.js", "srp_totp", username=name,
                password=PASSWORD)
    app.claims(r.value("srp")["AuthenticationResult"]["AccessToken"],
               "access")
    assert r.value("VerifySoftwareToken")["Status"] == "SUCCESS"
    assert r.value("srpAgain")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = r.value("SOFTWARE_TOKEN_MFA")["AuthenticationResult"]
    app.claims(done["IdToken"], "id")
    sdk_error(r.error("wrongPassword"), "NotAuthorizedException")


def srp_vectors():
    """The vectors of tests/unit/test_srp.c, as srp_vectors.py makes
    them, checked to be the ones test_srp.c holds the server to."""
    r = subprocess.run(
        ["/usr/bin/python3", os.path.join(REPO, "tests", "unit",
                                          "srp_vectors.py"), "--json"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        check=True, timeout=300)
    vectors = json.loads(r.stdout)
    with open(os.path.join(REPO, "tests", "unit", "test_srp.c")) as f:
        # The C strings with their line breaks joined.
        c = re.sub(r'"\s*"', "", f.read())
    for v in vectors:
        for field in ("a", "b", "salt", "A", "B", "u", "S", "K", "sig"):
            assert '"%s"' % v[field] in c, (field, v[field][:16])
    return vectors


def test_js_srp_agrees_with_the_server_vectors(node, app):
    """amazon-cognito-identity-js computes the A, u and key of each fixed
    vector the server's unit tests use: every padding case of A, B, S,
    u and the salt (set top bit, odd length, leading zero byte), the
    last of which random exchanges meet about once in 256."""
    vectors = srp_vectors()
    assert len(vectors) >= 3
    r = app.run(node, "identity_js.js", "srp_vectors", vectors=vectors)
    assert r.value("srpVectors") == [{"A": True, "u": True, "K": True}] * \
        len(vectors)


def test_js_srp_sign_ins_with_random_passwords(node, app):
    """50 SRP sign-ins in a row, each with a new random password: random
    salts, A, B, u and S against the server (each shows a set top bit
    in about half the exchanges and an odd hex length in one in 16; the
    rarer leading zero byte is the vectors' test above)."""
    name, _ = app.user()
    r = app.run(node, "identity_js.js", "srp_many", timeout=300,
                username=name, count=50)
    v = r.value("srpMany")
    assert v["failures"] == [] and v["ok"] == 50, v["failures"][:3]


# -- @aws-sdk/client-cognito-identity-provider -----------------------------

def test_sdk_sign_up_to_global_sign_out(server, node, app):
    """SignUp, ConfirmSignUp, InitiateAuth USER_PASSWORD_AUTH, GetUser,
    UpdateUserAttributes, REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken,
    RevokeToken, GlobalSignOut, through the SDK's commands."""
    name = fresh_name("sdk")
    email = name + "@example.com"
    r = app.run(node, "sdk_v3.js", "signup_flow", username=name, email=email,
                givenName="Bo", newGivenName="Bob", password=PASSWORD)
    up = r.value("SignUp")
    assert up["UserConfirmed"] is False and UUID.match(up["UserSub"])
    assert up["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert r.value("outboxCode") == server.wait_code(email)
    assert r.value("ConfirmSignUp")["httpStatus"] == 200

    res = r.value("InitiateAuth")["AuthenticationResult"]
    assert res["TokenType"] == "Bearer" and res["ExpiresIn"] == 3600
    idc = app.claims(res["IdToken"], "id")
    at = app.claims(res["AccessToken"], "access")
    assert idc["sub"] == at["sub"] == up["UserSub"]
    assert idc["cognito:username"] == at["username"] == name
    assert idc["email_verified"] is True and idc["given_name"] == "Bo"

    got = r.value("GetUser")
    assert got["Username"] == name
    assert got["UserAttributes"]["sub"] == up["UserSub"]
    assert got["UserAttributes"]["given_name"] == "Bo"
    assert r.value("UpdateUserAttributes")["httpStatus"] == 200
    assert r.value("GetUserAfterUpdate")["UserAttributes"][
        "given_name"] == "Bob"

    ref = r.value("RefreshTokenAuth")["AuthenticationResult"]
    assert "RefreshToken" not in ref  # no rotation
    assert app.claims(ref["IdToken"], "id")["given_name"] == "Bob"
    assert app.claims(ref["AccessToken"], "access")["origin_jti"] == \
        at["origin_jti"]
    gt = r.value("GetTokensFromRefreshToken")["AuthenticationResult"]
    app.claims(gt["IdToken"], "id")
    assert app.claims(gt["AccessToken"], "access")["sub"] == at["sub"]

    assert r.value("RevokeToken")["httpStatus"] == 200
    sdk_error(r.error("RefreshAfterRevoke"), "NotAuthorizedException")
    again = r.value("InitiateAuthAgain")["AuthenticationResult"]
    app.claims(again["AccessToken"], "access")
    assert r.value("GlobalSignOut")["httpStatus"] == 200
    sdk_error(r.error("GetUserAfterGlobalSignOut"), "NotAuthorizedException")
    sdk_error(r.error("RefreshAfterGlobalSignOut"), "NotAuthorizedException")


def test_sdk_new_password_required_after_admin_create_user(node, app):
    """AdminCreateUser and AdminGetUser signed by the SDK with the admin
    key; InitiateAuth with the temporary password answers
    NEW_PASSWORD_REQUIRED, RespondToAuthChallenge sets the password."""
    name = fresh_name("sdkadm")
    email = name + "@example.com"
    r = app.run(node, "sdk_v3.js", "new_password", username=name,
                email=email, tempPassword=TEMP, newPassword=NEW_PASSWORD)
    created = r.value("AdminCreateUser")["User"]
    assert created["Username"] == name
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Attributes"]["email"] == email

    ch = r.value("InitiateAuth")
    assert ch["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert ch["Session"] and "AuthenticationResult" not in ch
    params = ch["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == name
    assert json.loads(params["userAttributes"])["email"] == email
    assert json.loads(params["requiredAttributes"]) == []

    res = r.value("RespondToAuthChallenge")["AuthenticationResult"]
    idc = app.claims(res["IdToken"], "id")
    assert idc["cognito:username"] == name
    assert idc["sub"] == created["Attributes"]["sub"]
    app.claims(res["AccessToken"], "access")
    assert res["RefreshToken"]
    assert r.value("AdminGetUser")["UserStatus"] == "CONFIRMED"
    app.claims(r.value("InitiateAuthNewPassword")["AuthenticationResult"][
        "IdToken"], "id")


def test_sdk_error_names(node, app):
    """The SDK's exception classes for a wrong password, an unknown user,
    a taken username, and an Admin* call signed with an unknown key."""
    name, email = app.user()
    r = app.run(node, "sdk_v3.js", "errors", username=name, email=email,
                password=PASSWORD, wrongPassword="Wr0ng-pass!",
                unknown=fresh_name("nobody"))
    sdk_error(r.error("wrongPassword"), "NotAuthorizedException")
    sdk_error(r.error("unknownUser"), "UserNotFoundException")
    sdk_error(r.error("duplicateSignUp"), "UsernameExistsException")
    sdk_error(r.error("adminWithUnknownKey"), "UnrecognizedClientException")


def test_clients_refuse_the_server_without_its_certificate(node, app):
    """Both clients verify the server's certificate: without
    NODE_EXTRA_CA_CERTS no request reaches the API."""
    name, email = app.user()
    params = dict(username=name, email=email, password=PASSWORD,
                  wrongPassword="Wr0ng-pass!", unknown=fresh_name("nobody"))
    r = app.run(node, "sdk_v3.js", "errors", trust=False, **params)
    err = r.error("wrongPassword")
    assert err["code"] == "DEPTH_ZERO_SELF_SIGNED_CERT", err
    assert err["status"] is None
    r = app.run(node, "identity_js.js", "errors", trust=False, **params)
    assert r.error("wrongPassword")["code"] == "NetworkError"
