"""The hosted UI's self-service pages (src/ui/signup.c): sign-up from the
sign-in page's link, confirmation by code (wrong, right, resent) and by
the CONFIRM_WITH_LINK link, the password reset, and the refusals: the
pool's required attributes, admin-only pools, forms without their CSRF
token. Every page carries the authorization request, so each flow ends
with a sign-in and an authorization code back at the callback."""
import html
import re
import urllib.parse
import uuid

import botocore.exceptions
import pytest

from conftest import PASSWORD, make_user, unique_email, wrong
from test_oauth import App, Browser, form_action, hidden

NEW_PASSWORD = "N3w-Passw0rd!x"


class Site(App):
    """A pool (CreateUserPool arguments pool_args) with a domain and one
    client (a confidential one with secret), and no users."""

    def __init__(self, server, idp, make_pool, secret=False, pool_args=None,
                 **client):
        super().__init__(server, idp, make_pool, secret=secret,
                         pool_args=pool_args, user=False, **client)

    def start(self, browser, **extra):
        """Authorize without a session and open the sign-in page: the
        request's query, its PKCE verifier and the page."""
        q, verifier, status, hdrs, _ = self.authorize(browser, **extra)
        assert status == 302, hdrs
        status, _, page = browser.go("GET", hdrs["location"])
        assert status == 200, page
        return q, verifier, page

    def page(self, path, q, **extra):
        """The path of a page with the authorization request q."""
        return self.path("%s?%s" % (path, urllib.parse.urlencode(
            dict(q, **extra))))


def link(page, text):
    """The href of the link with that text, or None."""
    m = re.search(r'<a [^>]*href="([^"]*)">%s</a>' % re.escape(text), page)
    return html.unescape(m.group(1)) if m else None


def submit(browser, page, **fields):
    """Post the page's form with its CSRF token and the fields."""
    form = {"_csrf": hidden(page, "_csrf")}
    form.update(fields)
    return browser.go("POST", form_action(page), form=form)


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def sign_up(browser, login, username, email, password=PASSWORD, **attrs):
    """Follow the sign-in page's "Sign up" link and post the form: the
    form's page and the reply."""
    status, _, form = browser.go("GET", link(login, "Sign up"))
    assert status == 200, form
    fields = dict(username=username, password=password, **attrs)
    if email is not None:
        fields["email"] = email
    return form, submit(browser, form, **fields)


def sign_in_from(browser, location, username, password=PASSWORD):
    """Open the sign-in page a flow ended on and sign in: the page and
    the reply."""
    status, _, page = browser.go("GET", location)
    assert status == 200, page
    return page, submit(browser, page, username=username, password=password)


def test_sign_up_confirm_and_sign_in(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    q, verifier, login = site.start(b)
    forgot = link(login, "Forgot your password?")
    assert forgot.startswith(site.path("/forgotPassword?"))
    url = link(login, "Sign up")
    assert url.startswith(site.path("/signup?"))
    # The links carry the authorization request, and only that.
    assert query_of(url) == q and query_of(forgot) == q
    status, _, page = b.go("GET", url)
    assert status == 200, page
    assert 'autocomplete="new-password"' in page
    assert "At least 8 characters" in page and "A number" in page
    # The pool verifies e-mail by code, so the address is required.
    assert re.search(r'<label [^>]*for="attr-email">Email</label>', page)
    assert re.search(r'<input [^>]*id="attr-email"[^>]* required', page)
    assert 'autocomplete="email"' in page
    assert link(page, "Sign in").startswith(site.path("/login?"))
    name, email = "su-%s" % uuid.uuid4().hex[:8], unique_email("su")
    status, _, page = submit(b, page, username=name, email=email,
                             password=PASSWORD)
    assert status == 200, page
    assert "We have sent a code by email to" in page
    assert hidden(page, "username") == name
    code = server.wait_code(email)
    status, _, bad = submit(b, page, username=name, code=wrong(code),
                            _action="confirm")
    assert status == 400
    assert "Invalid verification code provided, please try again." in bad
    status, hdrs, _ = submit(b, bad, username=name, code=code,
                             _action="confirm")
    assert status == 302, hdrs
    loc = hdrs["location"]
    assert loc.startswith(site.path("/login?"))
    assert query_of(loc) == dict(q, notice="confirmed")
    page, reply = sign_in_from(b, loc, name)
    assert "Your account is confirmed. Sign in to continue." in page
    code = site.code_of(reply, q)
    status, tok = site.exchange(code, verifier)
    assert status == 200, tok
    claims = site.claims(tok["id_token"], "id")
    assert claims["email"] == email and claims["cognito:username"] == name
    assert claims["email_verified"] is True


def test_notices_come_from_a_table(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    q, _, _ = site.start(b)
    for notice in ("<script>alert(1)</script>", "Free money"):
        status, _, page = b.go("GET", site.page("/login", q, notice=notice))
        assert status == 200
        assert "alert(1)" not in page and "Free money" not in page
    status, _, page = b.go("GET", site.page("/login", q, notice="reset"))
    assert "Your password has been changed." in page


def test_sign_up_errors_show_on_the_page(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    _, _, login = site.start(b)
    taken = make_user(idp, site.pool["Id"])
    form, (status, _, page) = sign_up(b, login, taken, unique_email())
    assert status == 400 and "User already exists" in page
    assert 'value="%s"' % taken in page
    status, _, page = submit(b, form, username="weak-" + uuid.uuid4().hex[:6],
                             email=unique_email(), password="short")
    assert status == 400
    assert "Password did not conform with policy" in page
    status, _, page = submit(b, form, username="nopass", email="")
    assert status == 400 and "Username and password are required." in page


def test_resend_code(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    _, _, login = site.start(b)
    name, email = "rs-%s" % uuid.uuid4().hex[:8], unique_email("rs")
    _, (status, _, page) = sign_up(b, login, name, email)
    assert status == 200, page
    first = server.wait_code(email)
    status, _, page = submit(b, page, username=name, _action="resend")
    assert status == 200, page
    assert "A new code has been sent by email to" in page
    second = server.wait_code(email, count=2)
    if second != first:
        status, _, page = submit(b, page, username=name, code=first,
                                 _action="confirm")
        assert status == 400, page
    status, hdrs, _ = submit(b, page, username=name, code=second,
                             _action="confirm")
    assert status == 302 and "notice=confirmed" in hdrs["location"]
    assert idp.admin_get_user(UserPoolId=site.pool["Id"], Username=name)[
        "UserStatus"] == "CONFIRMED"


def test_confirm_page_asks_for_the_user(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    q, verifier, _ = site.start(b)
    name, email = "cp-%s" % uuid.uuid4().hex[:8], unique_email("cp")
    idp.sign_up(ClientId=site.client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    code = server.wait_code(email)
    status, _, page = b.go("GET", site.page("/confirmUser", q))
    assert status == 200, page
    assert re.search(r'<input [^>]*id="username" name="username"', page)
    assert 'autocomplete="one-time-code"' in page
    status, _, page = submit(b, page, _ask="1", username="",
                             code=code)
    assert status == 400 and "Username is required." in page
    status, _, page = submit(b, page, _ask="1", username=name,
                             code=wrong(code))
    assert status == 400 and re.search(r'<input [^>]*id="username"', page)
    status, hdrs, _ = submit(b, page, _ask="1", username=name, code=code)
    assert status == 302, hdrs
    _, reply = sign_in_from(b, hdrs["location"], name)
    assert site.exchange(site.code_of(reply, q), verifier)[0] == 200
    # With user_name in the query the user is known already.
    status, _, page = b.go("GET", site.page("/confirmUser", q,
                                            user_name=name))
    assert status == 200 and hidden(page, "username") == name
    assert "user_name" not in link(page, "Back to sign in")


def test_confirmation_link(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    name, email = "cl-%s" % uuid.uuid4().hex[:8], unique_email("cl")
    idp.sign_up(ClientId=site.client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    code = server.wait_code(email)

    def visit(**q):
        r = server.request("GET", site.path(
            "/confirmUser?" + urllib.parse.urlencode(q)))
        return r.status, r.body.decode()

    status, page = visit(client_id=site.client_id, user_name=name,
                         confirmation_code=wrong(code))
    assert status == 400 and "Invalid verification code" in page
    status, page = visit(client_id="nobody", user_name=name,
                         confirmation_code=code)
    assert status == 400 and "client_id" in page
    status, page = visit(client_id=site.client_id, confirmation_code=code)
    assert status == 400 and "incomplete" in page
    # A link checker's HEAD does not confirm.
    r = server.request("HEAD", site.path("/confirmUser?" + urllib.parse.
                                         urlencode(dict(
                                             client_id=site.client_id,
                                             user_name=name,
                                             confirmation_code=code))))
    assert r.status == 405
    assert idp.admin_get_user(UserPoolId=site.pool["Id"], Username=name)[
        "UserStatus"] == "UNCONFIRMED"
    status, page = visit(client_id=site.client_id, user_name=name,
                         confirmation_code=code)
    assert status == 200, page
    assert "Your account is confirmed" in page
    assert idp.admin_get_user(UserPoolId=site.pool["Id"], Username=name)[
        "UserStatus"] == "CONFIRMED"
    status, page = visit(client_id=site.client_id, user_name=name,
                         confirmation_code=code)
    assert status == 400 and "Current status is CONFIRMED" in page


def test_forgot_password(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    email = unique_email("fp")
    name = make_user(idp, site.pool["Id"], email=email)
    b = Browser(server)
    q, verifier, login = site.start(b)
    status, _, page = b.go("GET", link(login, "Forgot your password?"))
    assert status == 200, page
    assert 'autocomplete="username"' in page
    status, _, page = submit(b, page, username="")
    assert status == 400 and "Username is required." in page
    status, _, page = submit(b, page, username=name)
    assert status == 200, page
    assert "We have sent a code by email to" in page
    assert hidden(page, "username") == name
    assert 'autocomplete="new-password"' in page
    code = server.wait_code(email)
    status, _, page = submit(b, page, username=name, code=code,
                             password=NEW_PASSWORD,
                             password_again=NEW_PASSWORD + "x")
    assert status == 400 and "The two passwords are not the same." in page
    status, _, page = submit(b, page, username=name, code=code,
                             password="short", password_again="short")
    assert status == 400
    assert "Password did not conform with policy" in page
    status, _, page = submit(b, page, username=name, code=wrong(code),
                             password=NEW_PASSWORD,
                             password_again=NEW_PASSWORD)
    assert status == 400 and "Invalid verification code" in page
    status, hdrs, _ = submit(b, page, username=name, code=code,
                             password=NEW_PASSWORD,
                             password_again=NEW_PASSWORD)
    assert status == 302, hdrs
    assert query_of(hdrs["location"]) == dict(q, notice="reset")
    page, (status, _, bad) = sign_in_from(b, hdrs["location"],
                                          name, PASSWORD)
    assert "Your password has been changed." in page
    assert status == 400 and "Incorrect username or password." in bad
    reply = submit(b, bad, username=name, password=NEW_PASSWORD)
    assert site.exchange(site.code_of(reply, q), verifier)[0] == 200


def test_forgot_password_and_user_existence(server, idp, make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    q, _, _ = site.start(b)
    status, _, page = b.go("GET", site.page("/forgotPassword", q))
    status, _, page = submit(b, page, username="nobody-here")
    assert status == 400
    assert "Username/client id combination not found." in page
    # PreventUserExistenceErrors: a code "sent", which never matches.
    hiding = Site(server, idp, make_pool,
                  PreventUserExistenceErrors="ENABLED")
    q, _, _ = hiding.start(b)
    status, _, page = b.go("GET", hiding.page("/forgotPassword", q))
    status, _, page = submit(b, page, username="nobody-here")
    assert status == 200, page
    assert "We have sent a code by email to" in page
    status, _, page = submit(b, page, username="nobody-here", code="123456",
                             password=NEW_PASSWORD,
                             password_again=NEW_PASSWORD)
    assert status == 400 and "Invalid verification code" in page


def test_required_attributes(server, idp, make_pool):
    site = Site(server, idp, make_pool, pool_args=dict(
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "given_name", "AttributeDataType": "String",
                 "Required": True, "Mutable": True}]))
    b = Browser(server)
    _, _, login = site.start(b)
    name, email = "ra-%s" % uuid.uuid4().hex[:8], unique_email("ra")
    form, (status, _, page) = sign_up(b, login, name, email)
    assert re.search(r'<label [^>]*for="attr-given_name">Given name</label>',
                     form)
    assert re.search(r'<input [^>]*id="attr-given_name" name="given_name" '
                     r'type="text" autocomplete="given-name" value="" '
                     r'required>', form)
    assert status == 400
    assert "given_name: The attribute is required" in page
    # The form keeps what was typed, never the password.
    assert 'value="%s"' % name in page and 'value="%s"' % email in page
    assert PASSWORD not in page
    status, _, page = submit(b, page, username=name, email=email,
                             password=PASSWORD, given_name="Ada")
    assert status == 200, page
    status, hdrs, _ = submit(b, page, username=name,
                             code=server.wait_code(email))
    assert status == 302, hdrs
    user = idp.admin_get_user(UserPoolId=site.pool["Id"], Username=name)
    assert {"Name": "given_name", "Value": "Ada"} in user["UserAttributes"]


def test_email_as_username(server, idp, make_pool):
    site = Site(server, idp, make_pool, pool_args=dict(
        UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]))
    b = Browser(server)
    q, verifier, login = site.start(b)
    email = unique_email("eu")
    form, (status, _, page) = sign_up(b, login, email, None)
    assert 'type="email" autocomplete="email"' in form
    assert "attr-email" not in form
    assert re.search(r'<label [^>]*for="username">Email<', form)
    assert status == 200, page
    status, hdrs, _ = submit(b, page, username=email,
                             code=server.wait_code(email))
    assert status == 302, hdrs
    _, reply = sign_in_from(b, hdrs["location"], email)
    assert site.exchange(site.code_of(reply, q), verifier)[0] == 200


def test_admin_only_pool_has_no_sign_up(server, idp, make_pool):
    site = Site(server, idp, make_pool, pool_args=dict(
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True}))
    b = Browser(server)
    q, _, login = site.start(b)
    assert link(login, "Sign up") is None
    assert link(login, "Forgot your password?")
    url = site.page("/signup", q)
    status, hdrs, page = b.go("GET", url)
    assert status == 403 and "cannot sign up" in page
    status, hdrs, page = b.go("POST", url, form={
        "_csrf": hidden(login, "_csrf"), "username": "sneaky",
        "email": unique_email(), "password": PASSWORD})
    assert status == 403 and "location" not in hdrs
    assert idp.list_users(UserPoolId=site.pool["Id"])["Users"] == []


def test_forms_without_their_csrf_token_are_refused(server, idp,
                                                     make_pool):
    site = Site(server, idp, make_pool)
    b = Browser(server)
    q, _, _ = site.start(b)
    for path in ("/signup", "/confirmUser", "/forgotPassword",
                 "/confirmForgotPassword"):
        status, _, page = b.go("GET", site.page(path, q))
        assert status == 200, (path, page)
        assert hidden(page, "_csrf")
        for token in (None, "x" * 40):
            form = {"username": "someone-" + uuid.uuid4().hex[:6],
                    "email": unique_email(), "password": PASSWORD,
                    "password_again": PASSWORD, "code": "123456"}
            if token:
                form["_csrf"] = token
            status, hdrs, _ = b.go("POST", form_action(page), form=form)
            assert status == 403 and "location" not in hdrs, path
    # The right token without its cookie is refused as well.
    status, _, page = b.go("GET", site.page("/signup", q))
    stranger = Browser(server)
    status, _, _ = stranger.go("POST", form_action(page), form={
        "_csrf": hidden(page, "_csrf"), "username": "x",
        "password": PASSWORD})
    assert status == 403
    assert idp.list_users(UserPoolId=site.pool["Id"])["Users"] == []


def test_confidential_client_signs_up_through_the_page(server, idp,
                                                       make_pool):
    site = Site(server, idp, make_pool, secret=True)
    name, email = "cc-%s" % uuid.uuid4().hex[:8], unique_email("cc")
    # The API's SignUp wants the SecretHash the page does without.
    with pytest.raises(botocore.exceptions.ClientError):
        idp.sign_up(ClientId=site.client_id, Username=name,
                    Password=PASSWORD)
    b = Browser(server)
    q, verifier, login = site.start(b)
    _, (status, _, page) = sign_up(b, login, name, email)
    assert status == 200, page
    status, hdrs, _ = submit(b, page, username=name,
                             code=server.wait_code(email))
    assert status == 302, hdrs
    _, reply = sign_in_from(b, hdrs["location"], name)
    status, tok = site.exchange(site.code_of(reply, q), verifier)
    assert status == 200, tok
    assert site.claims(tok["id_token"], "id")["cognito:username"] == name
    # The reset pages need no SecretHash either.
    status, _, page = b.go("GET", site.page("/forgotPassword", q))
    status, _, page = submit(b, page, username=name)
    assert status == 200 and "We have sent a code" in page
