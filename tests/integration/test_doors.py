"""One sign-in core behind three doors: the JSON API (boto3
InitiateAuth and RespondToAuthChallenge), the hosted sign-in page (the
form posted to /login), and OAuth (authorize, the page, then the code
at /oauth2/token). Each outcome of the core, tokens, each challenge the
hosted UI can answer, and each error kind a user can cause, is driven
through every door: the same users and steps give the same outcome,
and an error gives the API's exception and, on the page, the very
message the API sends (the core writes it once)."""
import html
import time
import uuid

import botocore.exceptions
import jwt
import pytest

from conftest import PASSWORD, TEMP, make_user, wrong
from test_mfa_signin import mfa_pool, totp, with_totp
from test_oauth import App, Browser, hidden, post_form

DOORS = ["api", "page", "oauth"]
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]


class Outcome:
    """What a door answered: tokens (for username), a challenge (name),
    or an error (the API's exception and message; the page's text)."""

    def __init__(self, kind, name=None, message=None, page=None):
        self.kind, self.name, self.message = kind, name, message
        self.page = page

    def __repr__(self):
        return "<%s %s %r>" % (self.kind, self.name, self.message)


class ApiDoor:
    def __init__(self, app):
        self.app, self.last = app, None

    def _call(self, fn, **kw):
        try:
            out = fn(**kw)
        except botocore.exceptions.ClientError as e:
            err = e.response["Error"]
            return Outcome("error", err["Code"], err["Message"])
        if "AuthenticationResult" in out:
            idt = out["AuthenticationResult"]["IdToken"]
            c = jwt.decode(idt, options={"verify_signature": False})
            return Outcome("tokens", c["cognito:username"])
        self.last = out
        return Outcome("challenge", out["ChallengeName"])

    def start(self, username, password):
        return self._call(self.app.idp.initiate_auth,
                          ClientId=self.app.client_id,
                          AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": username,
                                          "PASSWORD": password})

    def answer(self, field, value):
        out = self.last
        return self._call(
            self.app.idp.respond_to_auth_challenge,
            ClientId=self.app.client_id, ChallengeName=out["ChallengeName"],
            Session=out["Session"], ChallengeResponses={
                "USERNAME": out["ChallengeParameters"]["USER_ID_FOR_SRP"],
                field: value})

    def set_up_app(self):
        idp, out = self.app.idp, self.last
        assoc = idp.associate_software_token(Session=out["Session"])
        ver = idp.verify_software_token(
            Session=assoc["Session"], UserCode=totp(assoc["SecretCode"],
                                                    int(time.time())))
        assert ver["Status"] == "SUCCESS"
        return self._call(
            idp.respond_to_auth_challenge, ClientId=self.app.client_id,
            ChallengeName="MFA_SETUP", Session=ver["Session"],
            ChallengeResponses={"USERNAME": out["ChallengeParameters"][
                "USER_ID_FOR_SRP"]})


class PageDoor:
    """The sign-in page: signed in is a redirect with a code."""

    def __init__(self, app):
        self.app = app
        self.browser = Browser(app.server)
        self.q = self.verifier = self.page = None

    def signed_in(self, reply):
        code = self.app.code_of(reply, self.q)
        assert code and "userpoold_session" in self.browser.cookies
        return Outcome("tokens", self.username)

    def _outcome(self, reply):
        status, _, page = reply
        if status == 302:
            return self.signed_in(reply)
        self.page = page
        if status == 200 and hidden(page, "_secret"):
            return Outcome("challenge", "MFA_SETUP", page=page)
        if status == 200:
            return Outcome("challenge", hidden(page, "_challenge"),
                           page=page)
        return Outcome("error", status, page=page)

    def start(self, username, password):
        self.username = username
        self.q, self.verifier, reply = self.app.sign_in(
            self.browser, password=password, username=username)
        return self._outcome(reply)

    def answer(self, field, value):
        return self._outcome(post_form(self.browser, self.page,
                                       **{field: value}))

    def set_up_app(self):
        secret = hidden(self.page, "_secret")
        return self._outcome(post_form(self.browser, self.page,
                                       code=totp(secret, int(time.time()))))


class OAuthDoor(PageDoor):
    """Authorize, the page, then the code for tokens at /oauth2/token."""

    def signed_in(self, reply):
        code = self.app.code_of(reply, self.q)
        status, tok = self.app.exchange(code, self.verifier)
        assert status == 200, tok
        c = self.app.claims(tok["id_token"], "id")
        return Outcome("tokens", c["cognito:username"])


def door(name, app):
    return {"api": ApiDoor, "page": PageDoor, "oauth": OAuthDoor}[name](app)


@pytest.fixture
def make_app(server, idp, make_pool):
    def make(mfa=None):
        a = App(server, idp, make_pool, user=False, ExplicitAuthFlows=FLOWS)
        if mfa is not None:
            mfa_pool(server, a.pool["Id"], mode=mfa)
        return a
    return make


def user_of(app, **kw):
    return make_user(app.idp, app.pool["Id"], **kw)


# --- Tokens and each challenge -------------------------------------------


@pytest.mark.parametrize("via", DOORS)
def test_tokens(make_app, via):
    a = make_app()
    name = user_of(a)
    out = door(via, a).start(name, PASSWORD)
    assert out.kind == "tokens" and out.name == name, out


@pytest.mark.parametrize("via", DOORS)
def test_new_password_required(make_app, via):
    a = make_app()
    name = user_of(a, confirmed=False)
    d = door(via, a)
    out = d.start(name, TEMP)
    assert (out.kind, out.name) == ("challenge", "NEW_PASSWORD_REQUIRED")
    out = d.answer("NEW_PASSWORD", PASSWORD + "x")
    assert out.kind == "tokens" and out.name == name, out


@pytest.mark.parametrize("via", DOORS)
def test_software_token_mfa(make_app, via):
    a = make_app(mfa="OPTIONAL")
    name = user_of(a)
    secret = with_totp(a.idp, a.pool["Id"], a.client_id, name)
    d = door(via, a)
    out = d.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "SOFTWARE_TOKEN_MFA")
    # The next time step: the one with_totp verified with is spent.
    out = d.answer("SOFTWARE_TOKEN_MFA_CODE",
                   totp(secret, int(time.time()) + 30))
    assert out.kind == "tokens" and out.name == name, out


def sms_user(a):
    phone = "+1555%07d" % (uuid.uuid4().int % 10 ** 7)
    name = user_of(a)
    a.idp.admin_update_user_attributes(
        UserPoolId=a.pool["Id"], Username=name, UserAttributes=[
            {"Name": "phone_number", "Value": phone},
            {"Name": "phone_number_verified", "Value": "true"}])
    return name, phone


@pytest.mark.parametrize("via", DOORS)
def test_sms_mfa(server, make_app, via):
    a = make_app(mfa="OPTIONAL")
    name, phone = sms_user(a)
    a.idp.admin_set_user_mfa_preference(
        UserPoolId=a.pool["Id"], Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    d = door(via, a)
    out = d.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "SMS_MFA")
    out = d.answer("SMS_MFA_CODE", server.wait_code(phone))
    assert out.kind == "tokens" and out.name == name, out


@pytest.mark.parametrize("via", DOORS)
def test_select_mfa_type(make_app, via):
    a = make_app(mfa="OPTIONAL")
    name, _ = sms_user(a)
    secret = with_totp(a.idp, a.pool["Id"], a.client_id, name,
                       preferred=False)
    a.idp.admin_set_user_mfa_preference(
        UserPoolId=a.pool["Id"], Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False})
    d = door(via, a)
    out = d.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "SELECT_MFA_TYPE")
    out = d.answer("ANSWER", "SOFTWARE_TOKEN_MFA")
    assert (out.kind, out.name) == ("challenge", "SOFTWARE_TOKEN_MFA")
    out = d.answer("SOFTWARE_TOKEN_MFA_CODE",
                   totp(secret, int(time.time()) + 30))
    assert out.kind == "tokens" and out.name == name, out


@pytest.mark.parametrize("via", DOORS)
def test_mfa_setup(make_app, via):
    a = make_app(mfa="ON")
    name = user_of(a)
    d = door(via, a)
    out = d.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "MFA_SETUP")
    out = d.set_up_app()
    assert out.kind == "tokens" and out.name == name, out


# --- Each error kind a user can cause -----------------------------------

def wrong_password(a, d):
    return d.start(user_of(a), PASSWORD + "x")


def unknown_user(a, d):
    return d.start("nobody-%s" % uuid.uuid4().hex[:8], PASSWORD)


def unconfirmed(a, d):
    name = "new-%s" % uuid.uuid4().hex[:8]
    a.idp.sign_up(ClientId=a.client_id, Username=name, Password=PASSWORD,
                  UserAttributes=[{"Name": "email",
                                   "Value": "%s@example.com" % name}])
    return d.start(name, PASSWORD)


def reset_required(a, d):
    name = user_of(a)
    a.idp.admin_reset_user_password(UserPoolId=a.pool["Id"], Username=name)
    return d.start(name, PASSWORD)


def disabled(a, d):
    name = user_of(a)
    a.idp.admin_disable_user(UserPoolId=a.pool["Id"], Username=name)
    return d.start(name, PASSWORD)


def bad_new_password(a, d):
    out = d.start(user_of(a, confirmed=False), TEMP)
    assert out.name == "NEW_PASSWORD_REQUIRED", out
    return d.answer("NEW_PASSWORD", "weak")


def code_mismatch(a, d):
    mfa_pool(a.server, a.pool["Id"], mode="OPTIONAL")
    name = user_of(a)
    secret = with_totp(a.idp, a.pool["Id"], a.client_id, name)
    out = d.start(name, PASSWORD)
    assert out.name == "SOFTWARE_TOKEN_MFA", out
    return d.answer("SOFTWARE_TOKEN_MFA_CODE",
                    wrong(totp(secret, int(time.time()))))


# The core's kind, the API's exception, the message the core writes
# once for every door, and the steps that cause it.
ERRORS = [
    ("not_authorized", "NotAuthorizedException",
     "Incorrect username or password.", wrong_password),
    ("no_user", "UserNotFoundException", "User does not exist.",
     unknown_user),
    ("not_confirmed", "UserNotConfirmedException", "User is not confirmed.",
     unconfirmed),
    ("reset_required", "PasswordResetRequiredException",
     "Password reset required for the user", reset_required),
    ("not_authorized", "NotAuthorizedException", "User is disabled.",
     disabled),
    ("bad_password", "InvalidPasswordException",
     "Password did not conform with policy: Password not long enough",
     bad_new_password),
    ("code_mismatch", "CodeMismatchException",
     "Invalid code or auth state for the user.", code_mismatch),
]


@pytest.mark.parametrize("via", DOORS)
@pytest.mark.parametrize("kind,exception,message,steps", ERRORS,
                         ids=[e[3].__name__ for e in ERRORS])
def test_error_kinds(make_app, via, kind, exception, message, steps):
    """The API door names the kind's exception; the page and OAuth doors
    show the same message on the page (400) and issue no code."""
    a = make_app()
    out = steps(a, door(via, a))
    if via == "api":
        assert (out.kind, out.name, out.message) == \
            ("error", exception, message), (kind, out)
    else:
        assert (out.kind, out.name) == ("error", 400), (kind, out)
        assert html.escape(message) in out.page, (kind, out.page[-2000:])
