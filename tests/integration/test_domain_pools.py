"""A pool domain serves its own pool only: at pool B's domain an app
client of pool A is answered exactly as a client id that does not exist
(invalid_client, 401, WWW-Authenticate when Basic was tried) for every
grant of /oauth2/token and for /oauth2/revoke; /oauth2/authorize
refuses it as an unknown client; pool A's tokens cannot be refreshed or
revoked there, and B's userInfo refuses A's access token
(invalid_token)."""
import base64
import copy
import re
import urllib.parse

import pytest

from test_oauth import App, Browser
from test_token_doors import api_tokens

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
UNKNOWN = "nosuchclient1234567890abcd"


def at(app, other):
    """app's client and user, asking at other's domain."""
    view = copy.copy(app)
    view.prefix = other.prefix
    return view


def unknown(app):
    """app's credentials with a client id no pool has."""
    view = copy.copy(app)
    view.client_id = UNKNOWN
    return view


def answer(status_body, client_id):
    """What a refusal says, with the client id taken out of the text."""
    status, body = status_body
    desc = body.get("error_description", "").replace(client_id, "ID")
    return status, body["error"], desc


def revoke(app, token, basic=True):
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
    body = dict(token=token)
    if app.secret and basic:
        hdrs["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % (app.client_id, app.secret)).encode()).decode()
    else:
        body["client_id"] = app.client_id
        if app.secret:
            body["client_secret"] = app.secret
    r = app.server.request("POST", app.path("/oauth2/revoke"),
                           body=urllib.parse.urlencode(body), headers=hdrs)
    return r.status, r.json(), r.headers


def refresh(app, token, basic=True):
    form = dict(grant_type="refresh_token", refresh_token=token)
    if app.secret and not basic:
        form["client_secret"] = app.secret
    return app.token(form, basic=basic)


def api_refresh_token(app):
    return api_tokens(app)["RefreshToken"]


def same_as_unknown(app, other, call):
    """call at other's domain with app's client answers as with a
    client id that does not exist there; the answer."""
    got = call(at(app, other))
    want = call(unknown(at(app, other)))
    assert answer(got[:2], app.client_id) == answer(want[:2], UNKNOWN)
    assert got[0] == 401 and got[1]["error"] == "invalid_client", got
    return got


@pytest.fixture
def pools(server, idp, make_pool):
    return (App(server, idp, make_pool, ExplicitAuthFlows=FLOWS),
            App(server, idp, make_pool, ExplicitAuthFlows=FLOWS))


@pytest.mark.parametrize("secret", [False, True])
def test_refresh_and_revoke_at_another_pool_s_domain(server, idp, make_pool,
                                                      secret):
    a = App(server, idp, make_pool, secret=secret, ExplicitAuthFlows=FLOWS)
    b = App(server, idp, make_pool, ExplicitAuthFlows=FLOWS)
    rt = api_refresh_token(a)
    for basic in ([True, False] if secret else [True]):
        def refresh_there(view):
            status, body = refresh(view, rt, basic=basic)
            return status, body, None
        same_as_unknown(a, b, refresh_there)

        def revoke_there(view):
            status, body, hdrs = revoke(view, rt, basic=basic)
            return status, body, hdrs
        got = same_as_unknown(a, b, revoke_there)
        # Basic tried: the challenge; the form: none (RFC 6749 §5.2).
        assert ("www-authenticate" in got[2]) == (secret and basic)
    # B's own client cannot spend or revoke A's token either.
    status, err = refresh(b, rt)
    assert (status, err["error"]) == (400, "invalid_grant")
    assert revoke(b, rt)[:2] == (200, {})
    # Nothing of that touched the token at its own domain.
    status, tok = refresh(a, rt)
    assert status == 200 and tok["access_token"], tok
    assert revoke(a, rt)[:2] == (200, {})
    status, err = refresh(a, rt)
    assert (status, err["error"]) == (400, "invalid_grant")


def test_client_credentials_at_another_pool_s_domain(server, idp,
                                                      make_pool):
    kw = dict(secret=True, scopes=("read",),
              AllowedOAuthFlows=["client_credentials"],
              AllowedOAuthScopes=["api/read"])
    a = App(server, idp, make_pool, **kw)
    b = App(server, idp, make_pool, **kw)
    form = dict(grant_type="client_credentials")
    for basic in (True, False):
        def grant(view):
            f = dict(form)
            if not basic:
                f["client_secret"] = view.secret
            status, body = view.token(f, basic=basic)
            return status, body, None
        same_as_unknown(a, b, grant)
        status, tok = grant(a)[:2]
        assert status == 200 and tok["access_token"], tok
    status, tok = b.token(form)
    assert status == 200, tok


def test_code_and_user_info_at_another_pool_s_domain(server, pools):
    a, b = pools
    q, verifier, reply = a.sign_in(Browser(server))
    code = a.code_of(reply, q)

    def exchange(view):
        status, body = view.exchange(code, verifier)
        return status, body, None
    same_as_unknown(a, b, exchange)
    # The code was not spent there: it still works at A's domain.
    status, tok = a.exchange(code, verifier)
    assert status == 200 and tok["refresh_token"], tok

    def user_info(app):
        return server.request("GET", app.path("/oauth2/userInfo"), headers={
            "Authorization": "Bearer " + tok["access_token"]})
    r = user_info(b)
    assert r.status == 401 and r.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    r = user_info(a)
    assert r.status == 200 and r.json()["email"] == a.email, r.body
    # The refresh token and revocation stay A's alone.
    same_as_unknown(a, b, lambda view: refresh(
        view, tok["refresh_token"]) + (None,))
    same_as_unknown(a, b, lambda view: revoke(view, tok["refresh_token"]))
    status, again = refresh(a, tok["refresh_token"])
    assert status == 200, again


def test_authorize_at_another_pool_s_domain(server, pools):
    a, b = pools
    browser = Browser(server)
    there = at(a, b)
    _, _, status, hdrs, page = there.authorize(browser)
    _, _, status2, hdrs2, page2 = unknown(there).authorize(browser)
    assert status == status2 == 400
    assert "location" not in hdrs and "location" not in hdrs2

    def text(p, cid):
        return re.sub(r"\s+", " ", p.replace(cid, "ID"))
    assert text(page, a.client_id) == text(page2, UNKNOWN)
    # At its own domain the same request goes on to the sign-in page.
    _, _, status, hdrs, _ = a.authorize(browser)
    assert status == 302 and "/login?" in hdrs["location"]
