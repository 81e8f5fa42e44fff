"""One sign-up and recovery core behind two doors: the JSON API (boto3
SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword,
ConfirmForgotPassword) and the hosted pages (the forms posted to
/signup, /confirmUser, /forgotPassword and /confirmForgotPassword). The
same scenario through each door gives the same outcomes: a code sent
to the same masked address, the same refusals in the same words (the
API's exception message is the page's error text), and the same state
behind (a confirmed user, a new password that signs in); under
PreventUserExistenceErrors a missing user is answered as an existing
one through both."""
import html
import re
import uuid

import botocore.exceptions
import pytest

from conftest import PASSWORD, make_user, wrong
from test_oauth import Browser
from test_pages import Site, submit

DOORS = ["api", "page"]
NEW_PASSWORD = "N3w-Passw0rd!x"
MISMATCH = "Invalid verification code provided, please try again."
LIMIT = "Attempt limit exceeded, please try after some time."
SHORT = "Password did not conform with policy: Password not long enough"
MISSING = "nobody-signup-doors"


class ApiDoor:
    """Outcomes: ("sent", masked destination), ("done",) or
    ("error", message); the exception names are kept in self.codes."""

    def __init__(self, site):
        self.site, self.idp, self.codes = site, site.idp, []

    def _call(self, fn, **kw):
        try:
            out = fn(ClientId=self.site.client_id, **kw)
        except botocore.exceptions.ClientError as e:
            self.codes.append(e.response["Error"]["Code"])
            return ("error", e.response["Error"]["Message"])
        self.codes.append(None)
        cdd = out.get("CodeDeliveryDetails")
        return ("sent", cdd["Destination"]) if cdd else ("done",)

    def sign_up(self, name, email, password):
        return self._call(self.idp.sign_up, Username=name, Password=password,
                          UserAttributes=[{"Name": "email",
                                           "Value": email}])

    def confirm(self, name, code):
        return self._call(self.idp.confirm_sign_up, Username=name,
                          ConfirmationCode=code)

    def resend(self, name):
        return self._call(self.idp.resend_confirmation_code, Username=name)

    def forgot(self, name):
        return self._call(self.idp.forgot_password, Username=name)

    def reset(self, name, code, password):
        return self._call(self.idp.confirm_forgot_password, Username=name,
                          ConfirmationCode=code, Password=password)


class PageDoor:
    """The same operations as forms of the hosted pages."""

    def __init__(self, site):
        self.site, self.b = site, Browser(site.server)
        self.q, _, _ = site.start(self.b)

    def _form(self, path, **extra):
        status, _, page = self.b.go("GET", self.site.page(path, self.q,
                                                          **extra))
        assert status == 200, page
        return page

    @staticmethod
    def _outcome(reply, ok_status):
        status, hdrs, page = reply
        if status == 400:
            m = re.search(r'id="error">(.*?)</p>', page, re.S)
            assert m, page
            return ("error", html.unescape(m.group(1)))
        assert status == ok_status, (status, hdrs, page)
        if status == 302:
            return ("done",)
        m = re.search(r'id="sent">.*? to (.*?)\. Enter', page, re.S)
        assert m, page
        return ("sent", html.unescape(m.group(1)))

    def sign_up(self, name, email, password):
        return self._outcome(submit(self.b, self._form("/signup"),
                                    username=name, email=email,
                                    password=password), 200)

    def confirm(self, name, code):
        return self._outcome(submit(
            self.b, self._form("/confirmUser", user_name=name),
            username=name, code=code, _action="confirm"), 302)

    def resend(self, name):
        return self._outcome(submit(
            self.b, self._form("/confirmUser", user_name=name),
            username=name, _action="resend"), 200)

    def forgot(self, name):
        return self._outcome(submit(self.b, self._form("/forgotPassword"),
                                    username=name), 200)

    def reset(self, name, code, password):
        return self._outcome(submit(
            self.b, self._form("/confirmForgotPassword", user_name=name),
            username=name, code=code, password=password,
            password_again=password), 302)


def door(via, site):
    return ApiDoor(site) if via == "api" else PageDoor(site)


@pytest.fixture
def make_site(server, idp, make_pool):
    def make(**client):
        return Site(server, idp, make_pool,
                    pool_args={"AutoVerifiedAttributes": ["email"]},
                    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                       "ALLOW_REFRESH_TOKEN_AUTH"],
                    **client)
    return make


def sign_in(site, name, password):
    try:
        site.idp.initiate_auth(
            ClientId=site.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password})
        return "signed in"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]


def sign_up_scenario(server, site, d):
    name = "su-%s" % uuid.uuid4().hex[:8]
    email = "s%s@example.com" % uuid.uuid4().hex[:8]
    out = [d.sign_up(name, email, "short"),
           d.sign_up(name, email, PASSWORD),
           d.sign_up(name, "t" + email, PASSWORD)]
    code = server.wait_code(email)
    out += [d.confirm(name, wrong(code)), d.resend(name)]
    code = server.wait_code(email, count=2)
    out += [d.confirm(name, code), d.resend(name), d.confirm(name, code)]
    status = site.idp.admin_get_user(UserPoolId=site.pool["Id"],
                                     Username=name)["UserStatus"]
    return out, status, sign_in(site, name, PASSWORD)


def test_sign_up_through_both_doors_alike(server, make_site):
    seen = {}
    for via in DOORS:
        site = make_site()
        d = door(via, site)
        seen[via] = sign_up_scenario(server, site, d)
    out, status, signed = seen["api"]
    assert out == [
        ("error", SHORT), ("sent", "s***@e***"),
        ("error", "User already exists"), ("error", MISMATCH),
        ("sent", "s***@e***"), ("done",),
        ("error", "User is already confirmed."),
        ("error", "User cannot be confirmed. Current status is "
                  "CONFIRMED")]
    assert (status, signed) == ("CONFIRMED", "signed in")
    assert seen["page"] == seen["api"]


def recovery_scenario(server, site, d):
    email = "r%s@example.com" % uuid.uuid4().hex[:8]
    name = make_user(site.idp, site.pool["Id"], email=email)
    out = [d.forgot(name)]
    code = server.wait_code(email)
    out += [d.reset(name, wrong(code), NEW_PASSWORD),
            d.reset(name, code, "short"),
            d.reset(name, code, NEW_PASSWORD),
            d.reset(name, code, NEW_PASSWORD)]
    # A missing user, under PreventUserExistenceErrors: as an existing.
    out += [d.forgot(MISSING), d.reset(MISSING, "000000", NEW_PASSWORD)]
    return out, [sign_in(site, name, p) for p in (PASSWORD, NEW_PASSWORD)]


def test_recovery_through_both_doors_alike(server, make_site):
    seen = {}
    for via in DOORS:
        site = make_site(PreventUserExistenceErrors="ENABLED")
        seen[via] = recovery_scenario(server, site, door(via, site))
    out, signed = seen["api"]
    assert out[0] == ("sent", "r***@e***")
    assert out[1:5] == [("error", MISMATCH), ("error", SHORT), ("done",),
                        ("error", MISMATCH)]
    assert out[5][0] == "sent" and out[6] == ("error", MISMATCH)
    assert signed == ["NotAuthorizedException", "signed in"]
    assert seen["page"] == seen["api"]


@pytest.mark.parametrize("via", DOORS)
def test_guesses_end_alike_for_existing_and_missing(server, make_site, via):
    """Through either door, after five wrong reset codes both an existing
    and a missing user are refused a sixth guess and a new code."""
    site = make_site(PreventUserExistenceErrors="ENABLED")
    d = door(via, site)
    email = "g%s@example.com" % uuid.uuid4().hex[:8]
    there = make_user(site.idp, site.pool["Id"], email=email)

    def run(name):
        out = [d.forgot(name)[0]]
        out += [d.reset(name, "000000", NEW_PASSWORD) for _ in range(6)]
        return out + [d.forgot(name)]

    seen = run(there)
    assert seen == ["sent"] + [("error", MISMATCH)] * 5 + \
        [("error", LIMIT)] * 2
    assert run("missing-%s" % uuid.uuid4().hex[:8]) == seen
    if via == "api":
        assert d.codes[-1] == "LimitExceededException"


def test_an_overlong_password_is_refused_at_both_doors(server, make_site):
    """A password over Cognito's 256 characters is refused alike by
    SignUp and ConfirmForgotPassword and by their forms (the pages took
    it and hashed it), and no user is made."""
    long = "Aa1!" * 65
    too_long = ("error", "1 validation error detected: Value at "
                "'password' failed to satisfy constraint: Member must "
                "have length less than or equal to 256")
    for via in DOORS:
        site = make_site()
        d = door(via, site)
        name = "lp-%s" % uuid.uuid4().hex[:8]
        email = "l%s@example.com" % uuid.uuid4().hex[:8]
        assert d.sign_up(name, email, long) == too_long, via
        assert site.idp.list_users(UserPoolId=site.pool["Id"])[
            "Users"] == [], via
        there = make_user(site.idp, site.pool["Id"], email=email)
        assert d.forgot(there)[0] == "sent"
        code = server.wait_code(email)
        assert d.reset(there, code, long) == too_long, via
        assert sign_in(site, there, PASSWORD) == "signed in", via
