"""The hosted UI and the OAuth2 endpoints of a pool domain, reached by
path (https://localhost:<port>/<prefix>/...), driven by a small cookie-
keeping HTTP client: authorization code with PKCE through the sign-in
page, the token endpoint's three grants, userInfo, revoke, logout, the
hosted-UI session (SSO), and the refusals a security reviewer expects
(unregistered redirect_uri, no PKCE, code reuse, wrong verifier, no
CSRF token, hidden user existence, flows the client may not use)."""
import base64
import hashlib
import html
import re
import secrets
import time
import urllib.parse
import uuid

import jwt
import pytest

from conftest import PASSWORD, TEMP, Server, make_user, psql, wrong
from test_mfa_signin import mfa_pool, totp

CALLBACK = "https://app.example/callback"
SIGNED_OUT = "https://app.example/bye"


class Browser:
    """Cookies and redirects by hand, so each step can be checked."""

    def __init__(self, server):
        self.server, self.cookies = server, {}

    def go(self, method, path, form=None, headers=None):
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in
                                       self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self.server.connection("https", 10)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            for k, v in r.getheaders():
                if k.lower() == "set-cookie":
                    name, _, rest = v.partition("=")
                    value = rest.split(";")[0]
                    if "Max-Age=0" in v:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = value
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            return r.status, hdrs, data.decode()
        finally:
            conn.close()


def pkce():
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def hidden(page, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, page)
    return html.unescape(m.group(1)) if m else None


def form_action(page):
    return html.unescape(re.search(r'action="([^"]*)"', page).group(1))


class App:
    """A pool (CreateUserPool arguments pool_args) with a domain, an app
    client (public, or with a secret) and, unless told otherwise, a
    confirmed user with a verified e-mail address."""

    def __init__(self, server, idp, make_pool, secret=False, scopes=(),
                 pool_args=None, user=True, **client):
        self.server, self.idp = server, idp
        self.pool = make_pool(**(pool_args if pool_args is not None else
                                 {"AutoVerifiedAttributes": ["email"]}))
        if scopes:
            idp.create_resource_server(
                UserPoolId=self.pool["Id"], Identifier="api", Name="api",
                Scopes=[{"ScopeName": s, "ScopeDescription": s}
                        for s in scopes])
        self.prefix = "app-%s" % uuid.uuid4().hex[:10]
        idp.create_user_pool_domain(UserPoolId=self.pool["Id"],
                                    Domain=self.prefix)
        kw = dict(AllowedOAuthFlows=["code"],
                  AllowedOAuthFlowsUserPoolClient=True,
                  AllowedOAuthScopes=["openid", "email", "profile"],
                  CallbackURLs=[CALLBACK], LogoutURLs=[SIGNED_OUT],
                  SupportedIdentityProviders=["COGNITO"],
                  ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
        kw.update(client)
        c = idp.create_user_pool_client(
            UserPoolId=self.pool["Id"], ClientName="web",
            GenerateSecret=secret, **kw)["UserPoolClient"]
        self.client_id, self.secret = c["ClientId"], c.get("ClientSecret")
        if user:
            self.email = "u-%s@example.com" % uuid.uuid4().hex[:8]
            self.username = make_user(idp, self.pool["Id"],
                                      email=self.email)

    def path(self, p):
        return "/%s%s" % (self.prefix, p)

    def authorize(self, browser, **extra):
        verifier, challenge = pkce()
        q = dict(response_type="code", client_id=self.client_id,
                 redirect_uri=CALLBACK, scope="openid email",
                 state="st-" + secrets.token_hex(4), nonce="n-1",
                 code_challenge=challenge, code_challenge_method="S256")
        q.update(extra)
        q = {k: v for k, v in q.items() if v is not None}
        status, hdrs, body = browser.go(
            "GET", self.path("/oauth2/authorize?" +
                             urllib.parse.urlencode(q)))
        return q, verifier, status, hdrs, body

    def sign_in(self, browser, password=PASSWORD, username=None, **extra):
        """Authorize, follow to /login, post the form; the last reply
        and the request's query and verifier."""
        q, verifier, status, hdrs, _ = self.authorize(browser, **extra)
        assert status == 302, (status, hdrs)
        login = hdrs["location"]
        assert login.startswith(self.path("/login?"))
        status, _, page = browser.go("GET", login)
        assert status == 200, page
        assert hidden(page, "_csrf")
        reply = browser.go("POST", form_action(page), form={
            "_csrf": hidden(page, "_csrf"),
            "username": username or self.username, "password": password})
        return q, verifier, reply

    def code_of(self, reply, q):
        status, hdrs, body = reply
        assert status == 302, body
        u = urllib.parse.urlsplit(hdrs["location"])
        assert "%s://%s%s" % (u.scheme, u.netloc, u.path) == CALLBACK
        got = dict(urllib.parse.parse_qsl(u.query))
        assert got["state"] == q["state"]
        return got["code"]

    def token(self, form, basic=True):
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        form = dict(form)
        if self.secret and basic:
            hdrs["Authorization"] = "Basic " + base64.b64encode(
                ("%s:%s" % (self.client_id, self.secret)).encode()).decode()
        else:
            form.setdefault("client_id", self.client_id)
        r = self.server.request("POST", self.path("/oauth2/token"),
                                body=urllib.parse.urlencode(form),
                                headers=hdrs)
        return r.status, r.json()

    def exchange(self, code, verifier):
        return self.token(dict(grant_type="authorization_code", code=code,
                               redirect_uri=CALLBACK,
                               code_verifier=verifier))

    def claims(self, token, use):
        keys = self.server.request(
            "GET", "/%s/.well-known/jwks.json" % self.pool["Id"]).json()
        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK([k for k in keys["keys"] if k["kid"] == kid][0])
        c = jwt.decode(token, key.key, algorithms=["RS256"],
                       audience=self.client_id if use == "id" else None,
                       options={"verify_aud": use == "id"},
                       issuer="%s/%s" % (self.server.https,
                                         self.pool["Id"]))
        assert c["token_use"] == use
        return c


@pytest.fixture
def app(server, idp, make_pool):
    return App(server, idp, make_pool)


def test_code_flow_with_pkce(server, app):
    b = Browser(server)
    q, verifier, reply = app.sign_in(b)
    code = app.code_of(reply, q)
    assert "userpoold_session" in b.cookies
    status, tok = app.exchange(code, verifier)
    assert status == 200, tok
    assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600
    idc = app.claims(tok["id_token"], "id")
    assert idc["nonce"] == "n-1" and idc["email"] == app.email
    assert idc["cognito:username"] == app.username
    acc = app.claims(tok["access_token"], "access")
    assert acc["scope"] == "openid email" and acc["version"] == 2
    assert acc["client_id"] == app.client_id
    # userInfo: the claims the scopes allow.
    r = server.request("GET", app.path("/oauth2/userInfo"), headers={
        "Authorization": "Bearer " + tok["access_token"]})
    assert r.status == 200, r.body
    info = r.json()
    assert info["sub"] == idc["sub"] and info["email"] == app.email
    assert info["email_verified"] == "true" and info["username"]
    # The refresh token works at the token endpoint and in the API.
    status, again = app.token(dict(grant_type="refresh_token",
                                   refresh_token=tok["refresh_token"]))
    assert status == 200, again
    assert "refresh_token" not in again
    assert app.claims(again["access_token"], "access")["scope"] == \
        "openid email"
    r = app.idp.initiate_auth(ClientId=app.client_id,
                              AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={
                                  "REFRESH_TOKEN": tok["refresh_token"]})
    assert r["AuthenticationResult"]["AccessToken"]
    # Revoked, the refresh token and its access tokens stop working.
    r = server.request("POST", app.path("/oauth2/revoke"),
                       body=urllib.parse.urlencode({
                           "token": tok["refresh_token"],
                           "client_id": app.client_id}),
                       headers={"Content-Type":
                                "application/x-www-form-urlencoded"})
    assert r.status == 200, r.body
    status, err = app.token(dict(grant_type="refresh_token",
                                 refresh_token=tok["refresh_token"]))
    assert status == 400 and err["error"] == "invalid_grant"
    r = server.request("GET", app.path("/oauth2/userInfo"), headers={
        "Authorization": "Bearer " + tok["access_token"]})
    assert r.status == 401 and "invalid_token" in r.headers[
        "www-authenticate"]


def test_session_signs_in_again_without_a_password(server, app):
    b = Browser(server)
    q, _, reply = app.sign_in(b)
    app.code_of(reply, q)
    q, verifier, status, hdrs, _ = app.authorize(b)
    code = app.code_of((status, hdrs, ""), q)
    assert app.exchange(code, verifier)[0] == 200
    # prompt=login asks for the password even so.
    _, _, status, hdrs, _ = app.authorize(b, prompt="login")
    assert status == 302 and "/login?" in hdrs["location"]
    # prompt=none without a session: login_required, no page.
    _, _, status, hdrs, _ = app.authorize(Browser(server), prompt="none")
    assert status == 302 and "error=login_required" in hdrs["location"]


def test_logout(server, app):
    b = Browser(server)
    q, _, reply = app.sign_in(b)
    app.code_of(reply, q)
    status, hdrs, _ = b.go("GET", app.path("/logout?" + urllib.parse.urlencode(
        {"client_id": app.client_id, "logout_uri": SIGNED_OUT})))
    assert status == 302 and hdrs["location"] == SIGNED_OUT
    assert "userpoold_session" not in b.cookies
    _, _, status, hdrs, _ = app.authorize(b)
    assert status == 302 and "/login?" in hdrs["location"]
    status, hdrs, page = b.go("GET", app.path("/logout?" + urllib.parse.urlencode(
        {"client_id": app.client_id, "logout_uri": "https://evil.example/"})))
    assert status == 400 and "location" not in hdrs


def test_unregistered_redirect_uri_is_never_redirected_to(server, app):
    b = Browser(server)
    for uri in ("https://evil.example/callback", CALLBACK + "/x",
                CALLBACK + "?a=1"):
        _, _, status, hdrs, page = app.authorize(b, redirect_uri=uri)
        assert status == 400 and "location" not in hdrs
        assert "redirect_uri" in page
    _, _, status, hdrs, page = app.authorize(b, client_id="nobody")
    assert status == 400 and "location" not in hdrs


def test_public_client_must_use_pkce_with_s256(server, app):
    b = Browser(server)
    _, _, status, hdrs, _ = app.authorize(b, code_challenge=None,
                                          code_challenge_method=None)
    assert status == 302
    assert "error=invalid_request" in hdrs["location"]
    _, _, status, hdrs, _ = app.authorize(b, code_challenge_method="plain")
    assert status == 302 and "error=invalid_request" in hdrs["location"]


def test_code_reuse_and_wrong_verifier(server, app):
    b = Browser(server)
    q, verifier, reply = app.sign_in(b)
    code = app.code_of(reply, q)
    status, err = app.exchange(code, "x" * 64)
    assert status == 400 and err["error"] == "invalid_grant"
    q, verifier, status, hdrs, _ = app.authorize(b)
    code = app.code_of((status, hdrs, ""), q)
    status, tok = app.exchange(code, verifier)
    assert status == 200
    status, err = app.exchange(code, verifier)
    assert status == 400 and err["error"] == "invalid_grant"
    # The reuse revoked what the first exchange issued.
    status, err = app.token(dict(grant_type="refresh_token",
                                 refresh_token=tok["refresh_token"]))
    assert status == 400 and err["error"] == "invalid_grant"


def test_form_without_its_csrf_token_is_refused(server, app):
    b = Browser(server)
    _, _, status, hdrs, _ = app.authorize(b)
    status, _, page = b.go("GET", hdrs["location"])
    for token in (None, "x" * 40):
        form = {"username": app.username, "password": PASSWORD}
        if token:
            form["_csrf"] = token
        status, hdrs2, body = b.go("POST", form_action(page), form=form)
        assert status == 403 and "location" not in hdrs2


def test_wrong_password_and_unknown_user_look_the_same(server, idp,
                                                      make_pool):
    a = App(server, idp, make_pool, PreventUserExistenceErrors="ENABLED")
    b = Browser(server)
    _, _, (status, hdrs, page) = a.sign_in(b, password="Wr0ng-passw0rd!")
    assert status == 400 and "Incorrect username or password." in page
    assert "location" not in hdrs
    _, _, (status2, _, page2) = a.sign_in(b, username="nobody-here")
    assert status2 == 400 and "Incorrect username or password." in page2


def test_implicit_flow_only_when_allowed(server, idp, make_pool):
    a = App(server, idp, make_pool)
    _, _, status, hdrs, _ = a.authorize(Browser(server),
                                        response_type="token")
    assert status == 302 and "error=unauthorized_client" in hdrs["location"]
    a = App(server, idp, make_pool, AllowedOAuthFlows=["implicit"])
    b = Browser(server)
    q, _, (status, hdrs, _) = a.sign_in(b, response_type="token")
    assert status == 302, hdrs
    frag = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["location"]).fragment))
    assert frag["state"] == q["state"] and "refresh_token" not in frag
    assert a.claims(frag["id_token"], "id")["nonce"] == "n-1"
    a.claims(frag["access_token"], "access")


def test_client_credentials(server, idp, make_pool):
    a = App(server, idp, make_pool)
    status, err = a.token(dict(grant_type="client_credentials"))
    assert status == 401 and err["error"] == "invalid_client"
    m = App(server, idp, make_pool, secret=True, scopes=("read", "write"),
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["api/read"])
    status, tok = m.token(dict(grant_type="client_credentials"))
    assert status == 200, tok
    assert set(tok) == {"access_token", "token_type", "expires_in"}
    c = m.claims(tok["access_token"], "access")
    assert c["sub"] == m.client_id and c["scope"] == "api/read"
    assert "username" not in c
    status, tok = m.token(dict(grant_type="client_credentials"),
                          basic=False)
    assert status == 401 and tok["error"] == "invalid_client"
    form = dict(grant_type="client_credentials", client_secret=m.secret)
    status, tok = m.token(form, basic=False)
    assert status == 200, tok
    status, err = m.token(dict(grant_type="client_credentials",
                               scope="api/write"))
    assert status == 400 and err["error"] == "invalid_scope"
    status, err = m.token(dict(grant_type="password"))
    assert status == 400 and err["error"] == "unsupported_grant_type"


def post_form(b, page, **fields):
    """Submit the page's form with its hidden fields and these."""
    form = {m.group(1): html.unescape(m.group(2)) for m in re.finditer(
        r'type="hidden" name="([^"]+)" value="([^"]*)"', page)}
    form.update(fields)
    return b.go("POST", form_action(page), form=form)


def test_new_password_page(server, idp, make_pool):
    a = App(server, idp, make_pool)
    name = make_user(idp, a.pool["Id"], confirmed=False)
    b = Browser(server)
    q, _, (status, _, page) = a.sign_in(b, username=name, password=TEMP)
    assert status == 200 and "Choose a new password" in page
    status, _, page2 = post_form(b, page, NEW_PASSWORD="weak")
    assert status == 400 and "Password" in page2
    reply = post_form(b, page2, NEW_PASSWORD=PASSWORD + "x")
    a.code_of(reply, q)
    user = idp.admin_get_user(UserPoolId=a.pool["Id"], Username=name)
    assert user["UserStatus"] == "CONFIRMED"


def test_authenticator_app_set_up_and_code(server, idp, make_pool):
    a = App(server, idp, make_pool)
    mfa_pool(server, a.pool["Id"], mode="ON", sms=False)
    b = Browser(server)
    q, _, (status, _, page) = a.sign_in(b)
    assert status == 200 and "<svg" in page and 'role="img"' in page
    secret = hidden(page, "_secret")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    status, _, page = post_form(b, page, code=wrong(
        totp(secret, int(time.time()))))
    assert status == 400 and "did not match" in page
    assert hidden(page, "_secret") == secret
    reply = post_form(b, page, code=totp(secret, int(time.time())))
    a.code_of(reply, q)
    # The next sign-in asks for the app's code (the next time step: the
    # one used to set up is spent).
    b = Browser(server)
    q, _, (status, _, page) = a.sign_in(b)
    assert status == 200 and "authenticator app" in page
    reply = post_form(b, page, SOFTWARE_TOKEN_MFA_CODE=totp(
        secret, int(time.time()) + 30))
    a.code_of(reply, q)


@pytest.fixture(scope="module")
def strict():
    """A daemon that allows 3 sign-in attempts per address and minute,
    with pool domains also at <prefix>.auth.localhost."""
    srv = Server(extra_args=["--signin_rate_per_address=3",
                             "--auth_domain=auth.localhost"])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports


def test_sign_in_attempts_per_address_are_limited(strict):
    idp = strict.boto3()
    made = []

    def make_pool(**kw):
        up = idp.create_user_pool(PoolName="rate-%s" % uuid.uuid4().hex[:6],
                                  **kw)["UserPool"]
        made.append(up["Id"])
        return up

    a = App(strict, idp, make_pool)
    b = Browser(strict)
    # The window slides: the four attempts count together even when a
    # clock minute ends between them.
    for _ in range(3):
        _, _, (status, _, page) = a.sign_in(b, password="Wr0ng-passw0rd!")
        assert status == 400 and "Incorrect username or password." in page
    # The fourth attempt, even with the right password, waits.
    _, _, (status, hdrs, page) = a.sign_in(b)
    assert status == 429 and "Wait a minute" in page
    assert hdrs["retry-after"] == "60"



def test_previous_minute_attempts_still_count(strict):
    """The limit is judged over the last sixty seconds, not per clock
    minute: a burst at the end of one minute is not forgotten when the
    next begins."""
    idp = strict.boto3()
    a = App(strict, idp, lambda **kw: idp.create_user_pool(
        PoolName="slide-%s" % uuid.uuid4().hex[:6], **kw)["UserPool"])
    b = Browser(strict)
    _, _, (status, _, page) = a.sign_in(b, password="Wr0ng-passw0rd!")
    assert status == 400 and "Incorrect username or password." in page
    # A burst in the minute before this one, from the same address.
    psql(strict, "INSERT INTO signin_attempts (pool_id, address, "
         "window_start, attempts) SELECT pool_id, address, window_start - 1, "
         "100000 FROM signin_attempts WHERE pool_id = '%s'" % a.pool["Id"])
    _, _, (status, _, page) = a.sign_in(b)
    assert status == 429 and "Wait a minute" in page

def test_branding(server, app):
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB"
        "yLkG3QAAAABJRU5ErkJggg==")
    css = ".banner-customizable {background-color: #2244aa;}"
    u = app.idp.set_ui_customization(UserPoolId=app.pool["Id"], CSS=css,
                                     ImageFile=png)["UICustomization"]
    _, _, status, hdrs, _ = app.authorize(Browser(server))
    status, _, page = Browser(server).go("GET", hdrs["location"])
    assert status == 200
    assert 'href="/%s/ui/custom.css?client_id=%s"' % (
        app.prefix, app.client_id) in page
    assert 'class="logo-customizable"' in page
    r = server.request("GET", app.path("/ui/custom.css?client_id=" +
                                       app.client_id))
    assert r.status == 200 and r.body.decode() == css
    assert r.headers["content-type"].startswith("text/css")
    r = server.request("GET", app.path("/ui/logo?client_id=" +
                                       app.client_id))
    assert r.status == 200 and r.body == png
    assert r.headers["content-type"] == "image/png"
    path = urllib.parse.urlsplit(u["ImageUrl"]).path
    r = server.request("GET", path)
    assert r.status == 200 and r.body == png
    # A client's own customization wins over the pool's.
    app.idp.set_ui_customization(UserPoolId=app.pool["Id"],
                                 ClientId=app.client_id,
                                 CSS=".label-customizable {color: red;}")
    r = server.request("GET", app.path("/ui/custom.css?client_id=" +
                                       app.client_id))
    assert r.body.decode() == ".label-customizable {color: red;}"
    r = server.request("GET", app.path("/ui/logo?client_id=" +
                                       app.client_id))
    assert r.status == 404


def test_custom_domain_by_host(server, app):
    """A pool's custom domain is served by its Host header at the root:
    links and cookies without the path prefix; an unknown name gets the
    error page; the API still answers on any Host."""
    host = "login-%s.example.com" % uuid.uuid4().hex[:6]
    app.idp.create_user_pool_domain(
        UserPoolId=app.pool["Id"], Domain=host, CustomDomainConfig={
            "CertificateArn": "arn:aws:acm:us-east-1:000000000000:"
                              "certificate/%s" % uuid.uuid4()})
    b = Browser(server)
    verifier, challenge = pkce()
    q = urllib.parse.urlencode(dict(
        response_type="code", client_id=app.client_id, redirect_uri=CALLBACK,
        scope="openid", state="s1", code_challenge=challenge,
        code_challenge_method="S256"))
    status, hdrs, _ = b.go("GET", "/oauth2/authorize?" + q,
                           headers={"Host": host})
    assert status == 302 and hdrs["location"] == "/login?" + q
    status, hdrs, page = b.go("GET", "/login?" + q, headers={"Host": host})
    assert status == 200 and 'action="/login?' in page
    assert "Path=/;" in hdrs["set-cookie"]
    status, _, _ = b.go("GET", "/login?" + q,
                        headers={"Host": "nobody.example.org"})
    assert status == 404
    r = server.request("GET", "/health", headers={"Host": host})
    assert r.status == 200


def test_prefix_domain_by_host(strict):
    """With auth_domain set, <prefix>.<auth_domain> serves the pool's
    pages at the root, and the discovery document names those URLs."""
    idp = strict.boto3()
    a = App(strict, idp, lambda **kw: idp.create_user_pool(
        PoolName="host-%s" % uuid.uuid4().hex[:6], **kw)["UserPool"])
    host = "%s.auth.localhost" % a.prefix
    b = Browser(strict)
    q = urllib.parse.urlencode(dict(
        response_type="code", client_id=a.client_id, redirect_uri=CALLBACK,
        code_challenge=pkce()[1], code_challenge_method="S256"))
    status, hdrs, _ = b.go("GET", "/oauth2/authorize?" + q,
                           headers={"Host": host})
    assert status == 302 and hdrs["location"] == "/login?" + q
    doc = strict.request("GET", "/%s/.well-known/openid-configuration" %
                         a.pool["Id"]).json()
    port = strict.https.rsplit(":", 1)[1]
    assert doc["authorization_endpoint"] == \
        "https://%s:%s/oauth2/authorize" % (host, port)


def test_login_hint_logout_to_sign_in_again_and_cors(server, app):
    b = Browser(server)
    _, _, status, hdrs, _ = app.authorize(b, login_hint="someone@example.com")
    status, _, page = b.go("GET", hdrs["location"])
    assert 'value="someone@example.com"' in page
    q, _, reply = app.sign_in(b)
    app.code_of(reply, q)
    # Sign out and straight back to the sign-in page of a new request.
    q2, _, _, _, _ = app.authorize(Browser(server))
    status, hdrs, _ = b.go("GET", app.path("/logout?" +
                                           urllib.parse.urlencode(q2)))
    assert status == 302
    assert hdrs["location"].startswith(app.path("/login?"))
    assert "userpoold_session" not in b.cookies
    # Browser apps call the token endpoint cross-origin.
    r = server.request("OPTIONS", app.path("/oauth2/token"), headers={
        "Origin": "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    status, err = app.token(dict(grant_type="authorization_code",
                                 code="nope", redirect_uri=CALLBACK))
    assert status == 400 and err["error"] == "invalid_grant"


def test_token_endpoint_refuses_unreadable_or_repeated_parameters(server,
                                                                   app):
    for body in ('{"grant_type": "client_credentials"}',
                 "grant_type=authorization_code&code=a&code=b"):
        r = server.request("POST", app.path("/oauth2/token"), body=body,
                           headers={"Content-Type":
                                    "application/x-www-form-urlencoded"})
        assert r.status == 400 and r.json()["error"] == "invalid_request"


def test_a_malformed_request_is_never_redirected(server, app):
    """Input refused before redirect_uri is checked (here: too long to be
    a callback URL at all) gets a page, never a redirect."""
    b = Browser(server)
    for extra in ({"redirect_uri": "https://evil.example/" + "a" * 3000},
                  {"scope": "openid " * 500}):
        _, _, status, hdrs, _ = app.authorize(b, **extra)
        assert status == 400 and "location" not in hdrs


def test_implicit_access_token_is_accepted_at_user_info(server, idp,
                                                        make_pool):
    """Bug: the implicit flow's access token named a token family that
    had no refresh token, so userInfo called it revoked."""
    a = App(server, idp, make_pool, AllowedOAuthFlows=["implicit"])
    q, _, (status, hdrs, _) = a.sign_in(Browser(server),
                                        response_type="token")
    assert status == 302, hdrs
    frag = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["location"]).fragment))
    r = server.request("GET", a.path("/oauth2/userInfo"), headers={
        "Authorization": "Bearer " + frag["access_token"]})
    assert r.status == 200, r.body
    assert r.json()["email"] == a.email
    # A global sign-out still ends it, even within the second of issue.
    idp.admin_user_global_sign_out(UserPoolId=a.pool["Id"],
                                   Username=a.username)
    r = server.request("GET", a.path("/oauth2/userInfo"), headers={
        "Authorization": "Bearer " + frag["access_token"]})
    assert r.status == 401 and "invalid_token" in r.headers[
        "www-authenticate"]


def test_code_is_not_spent_by_one_who_holds_only_the_code(server, idp,
                                                          make_pool):
    """Bug: the code was marked used before its verifier, redirect_uri
    and client were checked, so anyone holding the code could burn it."""
    for secret in (False, True):
        a = App(server, idp, make_pool, secret=secret)
        b = Browser(server)
        q, verifier, reply = a.sign_in(b)
        code = a.code_of(reply, q)
        # Without the verifier, with another redirect_uri, as another
        # client, or without the client's secret: refused, nothing spent.
        status, err = a.exchange(code, "x" * 64)
        assert status == 400 and err["error"] == "invalid_grant"
        status, err = a.token(dict(grant_type="authorization_code",
                                   code=code, redirect_uri=CALLBACK))
        assert status == 400 and err["error"] == "invalid_grant"
        status, err = a.token(dict(grant_type="authorization_code",
                                   code=code, redirect_uri=CALLBACK + "x",
                                   code_verifier=verifier))
        assert status == 400 and err["error"] == "invalid_grant"
        other = App(server, idp, make_pool, user=False)
        status, err = a.token(dict(grant_type="authorization_code",
                                   code=code, redirect_uri=CALLBACK,
                                   code_verifier=verifier,
                                   client_id=other.client_id), basic=False)
        assert status in (400, 401), err
        if secret:
            status, err = a.token(dict(grant_type="authorization_code",
                                       code=code, redirect_uri=CALLBACK,
                                       code_verifier=verifier,
                                       client_id=a.client_id,
                                       client_secret="wrong"), basic=False)
            assert status == 401 and err["error"] == "invalid_client"
        # The rightful client still redeems it, once.
        status, tok = a.exchange(code, verifier)
        assert status == 200, tok
        status, err = a.exchange(code, verifier)
        assert status == 400 and err["error"] == "invalid_grant"


def test_head_authorize_never_mints_a_code(server, app):
    """Bug: HEAD /oauth2/authorize with a session cookie made a code."""
    b = Browser(server)
    q, _, reply = app.sign_in(b)
    app.code_of(reply, q)
    count = ("SELECT count(*) FROM oauth_codes WHERE pool_id = '%s'"
             % app.pool["Id"])
    sessions = ("SELECT count(*) FROM ui_sessions WHERE pool_id = '%s'"
                % app.pool["Id"])
    before = server.psql(count), server.psql(sessions)
    verifier, challenge = pkce()
    query = urllib.parse.urlencode(dict(
        response_type="code", client_id=app.client_id,
        redirect_uri=CALLBACK, scope="openid", state="s",
        code_challenge=challenge, code_challenge_method="S256"))
    for path in ("/oauth2/authorize?", "/authorize?"):
        status, hdrs, body = b.go("HEAD", app.path(path + query))
        assert status == 302 and "/login?" in hdrs["location"], hdrs
        assert "code=" not in hdrs["location"] and body == ""
    assert (server.psql(count), server.psql(sessions)) == before
    # GET with the same session still signs in without a page.
    status, hdrs, _ = b.go("GET", app.path("/oauth2/authorize?" + query))
    assert status == 302 and hdrs["location"].startswith(CALLBACK + "?code=")


def test_token_endpoint_sends_one_cors_origin_header(server, app):
    """A doubled Access-Control-Allow-Origin makes browsers refuse the
    answer: the token endpoint's answers carry it once."""
    for form in (dict(grant_type="authorization_code", code="nope",
                      redirect_uri=CALLBACK, client_id=app.client_id),
                 dict(grant_type="bogus", client_id=app.client_id)):
        conn = server.connection()
        try:
            conn.request("POST", app.path("/oauth2/token"),
                         body=urllib.parse.urlencode(form), headers={
                             "Content-Type":
                             "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            names = [k.lower() for k, _ in r.getheaders()]
        finally:
            conn.close()
        assert names.count("access-control-allow-origin") == 1, names
        assert names.count("access-control-expose-headers") == 1, names
