"""Signing in through an OpenID Connect or social identity provider at
a pool domain (issue 11: src/oauth/idpresponse.c, src/fed/idp_flow.c,
src/fed/oidc_idp.c, src/fed/social.c): /oauth2/authorize with
identity_provider or idp_identifier sends the browser to the provider
with state, nonce and PKCE; /oauth2/idpresponse checks the state against
the browser's cookie, redeems the code, checks the ID token against the
provider's JWKS, signs the user in through the federation core and
answers the application with the pool's own code, as a password sign-in
does. Against the real providers of idp_servers.py: oidc-provider (npm)
as a generic OIDC provider and as the Google preset's stand-in, and the
Facebook-shaped server. Redirects are followed by a scripted cookie-jar
browser; the /login page's buttons are clicked in headless Chromium.

A key rotation: an ID token signed with a new key whose kid the cached
JWKS lacks passes after the one fetch it forces, which waits
idp_keys_refresh_min seconds after the previous fetch (a daemon of its
own with a short one).

Negatives (each writes no user): a provider the client does not support,
a tampered or foreign state, an ID token signed with another key, or
with a wrong aud, iss or nonce, the provider's access_denied, and a
provider that is down (a clear page within the fetch timeout), at its
token endpoint or at its jwks_uri (refused, silent, failing, or
answering garbage)."""
import base64
import html
import re
import socket
import time
import urllib.parse
import uuid

import pytest

from conftest import Server, free_port
from idp_servers import (  # noqa: F401 (fixtures)
    Browser, facebook_idp, facebook_idp_server, oidc_idp, oidc_idp_server,
    unreachable_url)
from test_browser import chromium, shots_dir  # noqa: F401
from test_idp_api import stand  # noqa: F401
from test_npm_clients import App as NpmApp
from test_npm_clients import node  # noqa: F401
from test_oauth import CALLBACK, App, pkce

CALLBACK2 = "https://app2.example/callback"


class Fed(App):
    """A pool with a domain and helpers for the hops; make_client() makes
    the app client (once its providers exist) that supports COGNITO and
    the providers."""

    def __init__(self, server, idp, make_pool, pool_args=None):
        super().__init__(server, idp, make_pool, user=False,
                         pool_args=pool_args)
        self.pool_id = self.pool["Id"]
        self.domain_url = "%s/%s" % (server.https, self.prefix)
        self.idpresponse = self.domain_url + "/oauth2/idpresponse"
        self.browser = Browser(ssl_context=server.ssl_context())
        self.providers = []

    def make_client(self, providers, callback=CALLBACK, cognito=True):
        """A client supporting providers (and COGNITO): its id."""
        self.providers = list(providers)
        c = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="fed",
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[callback],
            SupportedIdentityProviders=(["COGNITO"] if cognito else []) +
            self.providers)
        return c["UserPoolClient"]["ClientId"]

    def add_provider(self, name, ptype, details, mapping=None,
                     identifiers=None):
        kw = {}
        if identifiers:
            kw["IdpIdentifiers"] = identifiers
        self.idp.create_identity_provider(
            UserPoolId=self.pool_id, ProviderName=name, ProviderType=ptype,
            ProviderDetails=details,
            AttributeMapping=mapping or {"email": "email"}, **kw)

    def authorize_url(self, client_id=None, redirect_uri=CALLBACK, **extra):
        verifier, challenge = pkce()
        q = dict(response_type="code", client_id=client_id or self.client_id,
                 redirect_uri=redirect_uri, scope="openid email profile",
                 state="st-" + uuid.uuid4().hex[:8], nonce="app-nonce",
                 code_challenge=challenge, code_challenge_method="S256")
        q.update(extra)
        return (self.domain_url + "/oauth2/authorize?" +
                urllib.parse.urlencode(q)), q, verifier

    def follow(self, url, redirect_uri=CALLBACK):
        """Follow redirects until the application's redirect_uri: its
        query parameters, or the last (status, headers, body, url)."""
        got = self.browser.follow(url, lambda u: u.startswith(redirect_uri))
        if isinstance(got, str):
            return dict(urllib.parse.parse_qsl(
                urllib.parse.urlsplit(got).query))
        return got

    def sign_in(self, client_id=None, redirect_uri=CALLBACK, **extra):
        """A whole sign-in: the application's query back, its verifier."""
        url, q, verifier = self.authorize_url(client_id, redirect_uri,
                                              **extra)
        back = self.follow(url, redirect_uri)
        assert isinstance(back, dict), back[:3]
        assert back.get("state") == q["state"], back
        return back, verifier

    def tokens(self, back, verifier, client_id=None, redirect_uri=CALLBACK):
        assert "code" in back, back
        r = self.server.request(
            "POST", self.path("/oauth2/token"),
            body=urllib.parse.urlencode(dict(
                grant_type="authorization_code", code=back["code"],
                client_id=client_id or self.client_id,
                redirect_uri=redirect_uri, code_verifier=verifier)),
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == 200, r.body
        return r.json()

    def users(self):
        return self.idp.list_users(UserPoolId=self.pool_id)["Users"]


@pytest.fixture
def fed(server, idp, make_pool, oidc_idp):  # noqa: F811
    """A pool whose client supports the OIDC provider Corp, registered at
    the session's oidc-provider; fed.user is a user there."""
    f = Fed(server, idp, make_pool)
    f.oidc = oidc_idp
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.oidc_client_id = cid
    f.add_provider("Corp", "OIDC", oidc_idp.oidc_details(cid, secret),
                   {"email": "email", "name": "name"}, ["corp.example"])
    f.client_id = f.make_client(["Corp"])
    f.user = oidc_idp.add_user(email="%s@corp.example" % uuid.uuid4().hex[:8],
                               email_verified=True, name="Corp User")
    oidc_idp.set(auto_login=f.user["sub"])
    return f


def attrs(user):
    return {a["Name"]: a["Value"] for a in
            user.get("UserAttributes", user.get("Attributes", []))}


def test_oidc_sign_in_by_identity_provider(server, fed):
    url, q, verifier = fed.authorize_url(identity_provider="Corp")
    # The first hop: straight to the provider, with PKCE, state, nonce.
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302
    at = urllib.parse.urlsplit(hdrs["Location"])
    sent = dict(urllib.parse.parse_qsl(at.query))
    assert hdrs["Location"].startswith(fed.oidc.authorize_url + "?")
    assert sent["redirect_uri"] == fed.idpresponse
    assert sent["response_type"] == "code"
    assert sent["scope"] == "openid email profile"
    assert sent["code_challenge_method"] == "S256"
    assert sent["state"] != q["state"] and len(sent["nonce"]) >= 22
    cookie = [c for c in hdrs.get_all("Set-Cookie")
              if c.startswith("userpoold_idp=")][0]
    for flag in ("HttpOnly", "Secure", "SameSite=Lax",
                 "Path=/%s/oauth2/idpresponse" % fed.prefix):
        assert flag in cookie
    back = fed.follow(hdrs["Location"])
    assert back["state"] == q["state"]
    toks = fed.tokens(back, verifier)
    idc = fed.claims(toks["id_token"], "id")
    name = "Corp_" + fed.user["sub"]
    assert idc["cognito:username"] == name
    assert idc["email"] == fed.user["email"] and idc["nonce"] == "app-nonce"
    assert idc["identities"][0]["providerName"] == "Corp"
    assert idc["identities"][0]["providerType"] == "OIDC"
    assert idc["identities"][0]["issuer"] is None
    assert fed.claims(toks["access_token"], "access")["username"] == name
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["email"] == fed.user["email"]
    assert attrs(u)["name"] == "Corp User"
    # The provider saw the PKCE verifier and client_secret_post, and
    # userinfo was read with the access token.
    tok = fed.oidc.log("token")[-1]
    assert tok["auth"] == "post" and tok["params"].get("code_verifier")
    info = fed.oidc.log("userinfo")[-1]
    assert info["method"] == "GET" and info["auth"] == "bearer"


def test_userinfo_by_post(server, idp, make_pool, oidc_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Posted", "OIDC",
                   oidc_idp.oidc_details(cid, secret, method="POST"),
                   {"email": "email", "locale": "locale"})
    f.client_id = f.make_client(["Posted"])
    user = oidc_idp.add_user(email="post@example.com", locale="fr-FR")
    oidc_idp.set(auto_login=user["sub"])
    back, verifier = f.sign_in(identity_provider="Posted")
    f.tokens(back, verifier)
    info = oidc_idp.log("userinfo")[-1]
    assert info["method"] == "POST" and info["auth"] == "bearer"
    u = idp.admin_get_user(UserPoolId=f.pool_id,
                           Username="Posted_" + user["sub"])
    assert attrs(u)["locale"] == "fr-FR"


def test_oidc_sign_in_by_idp_identifier(server, fed):
    for ident in ("corp.example", "someone@corp.example"):
        fed.browser = Browser(ssl_context=server.ssl_context())
        back, verifier = fed.sign_in(idp_identifier=ident)
        idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
        assert idc["cognito:username"] == "Corp_" + fed.user["sub"]
    url, q, _ = fed.authorize_url(idp_identifier="other.example")
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK)
    assert "error=invalid_request" in hdrs["Location"]
    assert len(fed.users()) == 1


def test_changed_email_and_sso_to_a_second_client(server, fed):
    back, verifier = fed.sign_in(identity_provider="Corp")
    fed.tokens(back, verifier)
    name = "Corp_" + fed.user["sub"]
    new = "new-%s@corp.example" % uuid.uuid4().hex[:6]
    fed.oidc.set_user(fed.user["sub"], email=new)
    back, verifier = fed.sign_in(identity_provider="Corp")
    idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
    assert idc["email"] == new
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert attrs(u)["email"] == new
    assert len(fed.users()) == 1
    # A second application signs in by the hosted-UI session alone.
    seen = len(fed.oidc.log("authorize"))
    second = fed.make_client(["Corp"], callback=CALLBACK2)
    url, q, verifier = fed.authorize_url(second, CALLBACK2)
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2)
    back = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    toks = fed.tokens(back, verifier, second, CALLBACK2)
    assert fed.claims(toks["access_token"], "access")["username"] == name
    assert len(fed.oidc.log("authorize")) == seen


def test_deleted_provider_ends_its_users_sign_ins(server, fed):
    """DeleteIdentityProvider keeps the provider's users but ends their
    hosted-UI sessions and refresh tokens; the /login page drops its
    button. A provider whose name matches Corp's as a LIKE pattern
    (C_rp) going first leaves Corp's user alone."""
    cid, secret = fed.oidc.add_client([fed.idpresponse])
    fed.add_provider("C_rp", "OIDC", fed.oidc.oidc_details(cid, secret))
    fed.client_id = fed.make_client(["Corp", "C_rp"])
    back, verifier = fed.sign_in(identity_provider="Corp")
    toks = fed.tokens(back, verifier)
    name = "Corp_" + fed.user["sub"]
    fed.idp.delete_identity_provider(UserPoolId=fed.pool_id,
                                     ProviderName="C_rp")
    status, again = fed.token(dict(grant_type="refresh_token",
                                   refresh_token=toks["refresh_token"]))
    assert status == 200 and "id_token" in again, again
    back, verifier = fed.sign_in()      # SSO by the session cookie
    assert "code" in back
    fed.idp.delete_identity_provider(UserPoolId=fed.pool_id,
                                     ProviderName="Corp")
    # The user stays (as Cognito keeps it) but cannot sign in.
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    status, err = fed.token(dict(grant_type="refresh_token",
                                 refresh_token=toks["refresh_token"]))
    assert status == 400 and err["error"] == "invalid_grant", err
    seen = len(fed.oidc.log("authorize"))
    url, q, _ = fed.authorize_url(identity_provider="Corp")
    back = fed.follow(url)
    assert isinstance(back, dict) and "code" not in back, back
    assert back.get("error") == "invalid_request", back
    assert len(fed.oidc.log("authorize")) == seen
    # The old session cookie no longer signs in: the login page shows,
    # with no button for the deleted providers though the client still
    # names them.
    url, q, _ = fed.authorize_url()
    got = fed.follow(url)
    assert not isinstance(got, dict), got
    status, _, page, at = got
    assert status == 200 and "/login?" in at
    assert 'name="password"' in page
    assert "idp-Corp" not in page and "identity_provider=Corp" not in page
    assert "idp-C_rp" not in page
    c = fed.idp.describe_user_pool_client(UserPoolId=fed.pool_id,
                                          ClientId=fed.client_id)
    assert "Corp" in c["UserPoolClient"]["SupportedIdentityProviders"]


def test_google_preset_at_the_local_provider(server, idp, make_pool,
                                             oidc_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Google", "Google", oidc_idp.google_details(cid, secret),
                   {"email": "email", "given_name": "given_name",
                    "family_name": "family_name"})
    d = idp.describe_identity_provider(UserPoolId=f.pool_id,
                                       ProviderName="Google")
    assert d["IdentityProvider"]["ProviderDetails"]["token_url"] == \
        oidc_idp.token_url
    f.client_id = f.make_client(["Google"])
    user = oidc_idp.google_user(given_name="Ada", family_name="L")
    oidc_idp.set(auto_login=user["sub"])
    back, verifier = f.sign_in(identity_provider="Google")
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    name = "Google_" + user["sub"]
    assert idc["cognito:username"] == name
    assert idc["identities"][0]["providerType"] == "Google"
    assert "%s_Google" % f.pool_id in idc["cognito:groups"]
    u = idp.admin_get_user(UserPoolId=f.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["email"] == user["email"]
    assert attrs(u)["given_name"] == "Ada"
    sent = oidc_idp.log("authorize")[-1]["params"]
    assert sent["scope"] == "profile email openid"
    # A changed address at Google is the user's at the next sign-in.
    new = "new-%s@gmail.example" % uuid.uuid4().hex[:6]
    oidc_idp.set_user(user["sub"], **{k: v for k, v in user.items()
                                      if k not in ("sub", "email")},
                      email=new)
    f.browser.jar.clear()
    back, verifier = f.sign_in(identity_provider="Google")
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["email"] == new and idc["cognito:username"] == name
    assert attrs(idp.admin_get_user(UserPoolId=f.pool_id,
                                    Username=name))["email"] == new
    assert len(f.users()) == 1


def test_facebook_at_the_stand_in(server, idp, make_pool,
                                  facebook_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = facebook_idp.add_client([f.idpresponse])
    f.add_provider("Facebook", "Facebook",
                   facebook_idp.details(cid, secret),
                   {"email": "email", "name": "name"})
    f.client_id = f.make_client(["Facebook"])
    user = facebook_idp.add_user(first_name="Fay", last_name="Book")
    facebook_idp.set(auto_login=user["id"], require_pkce=True)
    back, verifier = f.sign_in(identity_provider="Facebook")
    # PKCE on the Facebook leg: S256 there, its verifier at the token
    # endpoint (the stand-in checks it and refuses a code without one).
    sent = facebook_idp.log("authorize")[-1]["params"]
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert facebook_idp.log("token")[-1]["params"]["code_verifier"] is True
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    name = "Facebook_" + user["id"]
    assert idc["cognito:username"] == name and idc["email"] == user["email"]
    u = idp.admin_get_user(UserPoolId=f.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["name"] == "Fay Book"
    me = facebook_idp.log("me")[-1]
    fields = me["params"]["fields"].split(",")
    assert fields[0] == "id" and set(fields) == {"id", "email", "name"}
    # A changed address at Facebook is the user's at the next sign-in.
    new = "new-%s@example.com" % uuid.uuid4().hex[:6]
    facebook_idp.set_user(user["id"], email=new)
    f.browser.jar.clear()
    back, verifier = f.sign_in(identity_provider="Facebook")
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["email"] == new and idc["cognito:username"] == name
    assert attrs(idp.admin_get_user(UserPoolId=f.pool_id,
                                    Username=name))["email"] == new
    assert len(f.users()) == 1


def idp_identifier_and_sso(f, name, log, expect_user):
    """Sign in by idp_identifier (an address at the provider's domain),
    then a second client by the hosted-UI session alone: the provider
    sees no second authorize."""
    back, verifier = f.sign_in(idp_identifier="someone@%s.example" %
                               name.lower())
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["cognito:username"] == expect_user
    assert idc["identities"][0]["providerName"] == name
    seen = len(log())
    assert seen > 0
    second = f.make_client([name], callback=CALLBACK2)
    url, q, verifier = f.authorize_url(second, CALLBACK2)
    status, hdrs, _ = f.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2), hdrs
    back = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    assert back["state"] == q["state"]
    toks = f.tokens(back, verifier, second, CALLBACK2)
    assert f.claims(toks["access_token"], "access")["username"] == \
        expect_user
    assert len(log()) == seen
    assert len(f.users()) == 1


def test_session_not_reused_for_a_client_without_its_provider(server, fed):
    """A hosted-UI session made through Corp signs in silently only to
    clients that support Corp: a COGNITO-only client gets its sign-in
    page (prompt=none: login_required), no code."""
    back, verifier = fed.sign_in(identity_provider="Corp")
    assert "code" in back, back
    cognito_only = fed.make_client([], callback=CALLBACK2)
    url, q, _ = fed.authorize_url(cognito_only, CALLBACK2)
    status, hdrs, _ = fed.browser.get(url)
    loc = urllib.parse.urljoin(url, hdrs["Location"])
    assert status == 302 and not loc.startswith(CALLBACK2), loc
    assert urllib.parse.urlsplit(loc).path.endswith("/login")
    status, _, body = fed.browser.get(loc)
    assert status == 200 and 'name="password"' in body
    url, q, _ = fed.authorize_url(cognito_only, CALLBACK2, prompt="none")
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2)
    back = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    assert back["error"] == "login_required" and "code" not in back
    # A client that supports Corp still signs in by the session.
    both = fed.make_client(["Corp"], callback=CALLBACK2)
    url, q, _ = fed.authorize_url(both, CALLBACK2)
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2), hdrs
    assert "code=" in hdrs["Location"]


def test_google_by_idp_identifier_and_sso(server, idp, make_pool,
                                          oidc_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Google", "Google", oidc_idp.google_details(cid, secret),
                   identifiers=["google.example"])
    f.client_id = f.make_client(["Google"])
    user = oidc_idp.google_user()
    oidc_idp.set(auto_login=user["sub"])
    idp_identifier_and_sso(f, "Google", lambda: oidc_idp.log("authorize"),
                           "Google_" + user["sub"])


def test_facebook_by_idp_identifier_and_sso(server, idp, make_pool,
                                            facebook_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = facebook_idp.add_client([f.idpresponse])
    f.add_provider("Facebook", "Facebook",
                   facebook_idp.details(cid, secret),
                   identifiers=["facebook.example"])
    f.client_id = f.make_client(["Facebook"])
    user = facebook_idp.add_user()
    facebook_idp.set(auto_login=user["id"])
    idp_identifier_and_sso(f, "Facebook",
                           lambda: facebook_idp.log("authorize"),
                           "Facebook_" + user["id"])


def test_google_button_with_branding(server, idp, make_pool,
                                     oidc_idp):  # noqa: F811
    """The /login page of a client with Google and COGNITO after
    SetUICustomization: the social button, the client's CSS (which
    styles it) and logo."""
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Google", "Google", oidc_idp.google_details(cid, secret))
    f.client_id = f.make_client(["Google"])
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB"
        "yLkG3QAAAABJRU5ErkJggg==")
    style = ".socialButton-customizable {background-color: #db4437;}"
    idp.set_ui_customization(UserPoolId=f.pool_id, ClientId=f.client_id,
                             CSS=style, ImageFile=png)
    url, _, _ = f.authorize_url()
    got = f.follow(url)
    assert not isinstance(got, dict), got
    status, _, page, at = got
    assert status == 200 and "/login?" in at
    page = html.unescape(page)
    assert re.search(r'<a class="socialButton-customizable idp-button" '
                     r'id="idp-Google" href="[^"]*identity_provider='
                     r'Google"', page), page
    assert 'name="password"' in page
    css = "/%s/ui/custom.css?client_id=%s" % (f.prefix, f.client_id)
    assert '<link rel="stylesheet" href="%s">' % css in page
    logo = "/%s/ui/logo?client_id=%s" % (f.prefix, f.client_id)
    assert '<img class="logo-customizable" src="%s"' % logo in page
    r = server.request("GET", css)
    assert r.status == 200 and r.body.decode() == style
    assert r.headers["content-type"].startswith("text/css")
    r = server.request("GET", logo)
    assert r.status == 200 and r.body == png
    assert r.headers["content-type"] == "image/png"


def refused_back(fed, back, error="invalid_request"):
    assert isinstance(back, dict), back[:3]
    assert back.get("error") == error and "code" not in back, back
    assert fed.users() == []


def test_client_without_the_provider_is_refused(server, fed):
    other = fed.make_client([])
    for kw in ({"identity_provider": "Corp"},
               {"identity_provider": "Nobody"},
               {"idp_identifier": "corp.example"}):
        url, q, _ = fed.authorize_url(other, **kw)
        status, hdrs, _ = fed.browser.get(url)
        assert status == 302, kw
        back = dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(hdrs["Location"]).query))
        assert hdrs["Location"].startswith(CALLBACK)
        assert back["state"] == q["state"]
        refused_back(fed, back)
    assert fed.oidc.log("authorize") == []


def test_tampered_or_foreign_state_is_refused(server, fed):
    url, q, _ = fed.authorize_url(identity_provider="Corp")
    at_idp = fed.browser.follow(url, lambda u: u.startswith(fed.idpresponse))
    assert isinstance(at_idp, str)
    parts = urllib.parse.urlsplit(at_idp)
    params = dict(urllib.parse.parse_qsl(parts.query))
    bad = dict(params, state=params["state"][:-2] + "xx")
    for u in (fed.idpresponse + "?" + urllib.parse.urlencode(bad),
              fed.idpresponse + "?" + urllib.parse.urlencode(
                  {"code": params["code"]})):
        status, _, body = fed.browser.get(u)
        assert status == 400 and "did not start in this browser" in body
    # Another browser (without the cookie) cannot finish it either.
    status, _, body = Browser(ssl_context=server.ssl_context()).get(at_idp)
    assert status == 400 and "did not start in this browser" in body
    assert fed.users() == []
    # The right browser still can, once.
    back = fed.follow(at_idp)
    assert back["state"] == q["state"] and "code" in back
    status, _, _ = fed.browser.get(at_idp)
    assert status == 400


def test_two_tabs_sign_in_from_one_browser(server, fed):
    """Two sign-ins started at once in one browser (two tabs): the second
    /oauth2/authorize keeps the browser's cookie value, so the first one
    still completes, then the second."""
    def start():
        url, q, verifier = fed.authorize_url(identity_provider="Corp")
        at = fed.browser.follow(url, lambda u: u.startswith(fed.idpresponse))
        assert isinstance(at, str), at[:3]
        return at, q, verifier

    first, second = start(), start()
    kept = {c.path: c.value for c in fed.browser.jar
            if c.name == "userpoold_idp"}
    assert set(kept) == {"/%s/oauth2/idpresponse" % fed.prefix,
                         "/%s/oauth2/authorize" % fed.prefix}
    assert len(set(kept.values())) == 1
    _, hdrs, _ = fed.browser.get(fed.authorize_url(
        identity_provider="Corp")[0])
    for c in hdrs.get_all("Set-Cookie"):
        if c.startswith("userpoold_idp="):
            assert c.split(";")[0] == "userpoold_idp=" + \
                list(kept.values())[0]
            for flag in ("HttpOnly", "Secure", "SameSite=Lax"):
                assert flag in c
    for at, q, verifier in (first, second):
        back = fed.follow(at)
        assert back.get("state") == q["state"] and "code" in back, back
        idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
        assert idc["cognito:username"] == "Corp_" + fed.user["sub"]
    # A browser without the cookie still gets a new value.
    other = Browser(ssl_context=server.ssl_context())
    _, hdrs, _ = other.get(fed.authorize_url(identity_provider="Corp")[0])
    fresh = [c.split(";")[0] for c in hdrs.get_all("Set-Cookie")
             if c.startswith("userpoold_idp=")]
    assert len(fresh) == 2 and fresh[0] == fresh[1]
    assert fresh[0] != "userpoold_idp=" + list(kept.values())[0]


@pytest.mark.parametrize("id_token", [
    {"key": "second"}, {"key": "second_same_kid"}, {"key": "none"},
    {"key": "hs256"}, {"claims": {"aud": "someone-else"}},
    {"claims": {"iss": "http://127.0.0.1:1/evil"}},
    {"claims": {"nonce": "not-ours"}}, {"exp_in": -3600},
    {"claims": {"aud": ["CLIENT", "other-app"], "azp": "other-app"}},
    {"claims": {"aud": ["other-app", "CLIENT"]}}],
    ids=["other-key", "other-key-same-kid", "none", "hs256", "aud", "iss",
         "nonce", "expired", "azp-other", "azp-missing"])
def test_bad_id_token_is_refused(server, fed, id_token):
    # Several audiences, ours (CLIENT) among them: azp must be ours.
    aud = id_token.get("claims", {}).get("aud")
    if isinstance(aud, list):
        id_token = dict(id_token, claims=dict(id_token["claims"], aud=[
            fed.oidc_client_id if a == "CLIENT" else a for a in aud]))
    fed.oidc.set(id_token=id_token)
    url, q, _ = fed.authorize_url(identity_provider="Corp")
    back = fed.follow(url)
    refused_back(fed, back)
    assert back["state"] == q["state"]
    assert "ID token" in back.get("error_description", "")


def test_provider_error_goes_back_to_the_application(server, fed):
    fed.oidc.set(deny="access_denied")
    url, q, _ = fed.authorize_url(identity_provider="Corp")
    back = fed.follow(url)
    refused_back(fed, back, "access_denied")
    assert back["state"] == q["state"]


def test_unmapped_required_attribute_goes_back_as_an_error(
        server, idp, make_pool, oidc_idp):  # noqa: F811
    f = Fed(server, idp, make_pool, pool_args={"Schema": [
        {"Name": "phone_number", "AttributeDataType": "String",
         "Required": True, "Mutable": True}]})
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Corp", "OIDC", oidc_idp.oidc_details(cid, secret))
    f.client_id = f.make_client(["Corp"])
    user = oidc_idp.add_user(email="np@example.com")
    oidc_idp.set(auto_login=user["sub"])
    url, q, _ = f.authorize_url(identity_provider="Corp")
    back = f.follow(url)
    refused_back(f, back)
    assert back["state"] == q["state"]
    assert "phone_number" in back["error_description"]


def test_unreachable_provider_is_a_clear_page(server, idp, make_pool,
                                              oidc_idp):  # noqa: F811
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    details = dict(oidc_idp.oidc_details(cid, secret),
                   authorize_url=oidc_idp.authorize_url,
                   token_url=unreachable_url("/token"),
                   attributes_url=oidc_idp.userinfo_url,
                   jwks_uri=oidc_idp.jwks_url)
    f.add_provider("Down", "OIDC", details)
    f.client_id = f.make_client(["Down"])
    user = oidc_idp.add_user(email="down@example.com")
    oidc_idp.set(auto_login=user["sub"])
    url, q, _ = f.authorize_url(identity_provider="Down")
    start = time.monotonic()
    got = f.follow(url)
    assert time.monotonic() - start < 6
    status, _, body, at = got
    assert at.startswith(f.idpresponse)
    assert status == 502 and "could not be reached" in body
    assert f.users() == []



@pytest.mark.parametrize("jwks", ["refused", "silent", "status", "html",
                                  "nokeys"])
def test_provider_keys_unreachable_or_garbage(server, idp, make_pool, stand,
                                              oidc_idp, jwks):  # noqa: F811
    """The provider answers the code but its jwks_uri is down (refused,
    or accepting and never answering), fails, answers HTML or a JWKS
    without keys: a clear page (a person may retry) or, for keys that
    do not match the token, the OAuth error at the application; never a
    code, no user written, within the 5 s fetch limit, and the daemon
    signs the next user in."""
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    name = "/jwks-%s-%s" % (jwks, uuid.uuid4().hex[:6])
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = {"refused": unreachable_url(name),
           "silent": "http://127.0.0.1:%d%s" % (silent.getsockname()[1],
                                                name)}.get(
        jwks, stand.base + name)
    stand.routes[name] = {
        "status": (500, {}, b"oops"),
        "html": (200, {"Content-Type": "text/html"}, b"<html>no</html>"),
        "nokeys": (200, {"Content-Type": "application/json"},
                   b'{"keys": []}')}.get(jwks, (404, {}, b""))
    details = dict(oidc_idp.oidc_details(cid, secret),
                   authorize_url=oidc_idp.authorize_url,
                   token_url=oidc_idp.token_url,
                   attributes_url=oidc_idp.userinfo_url, jwks_uri=url)
    f.add_provider("Keys", "OIDC", details)
    f.client_id = f.make_client(["Keys"])
    user = oidc_idp.add_user(email="keys@example.com")
    oidc_idp.set(auto_login=user["sub"])
    url, q, _ = f.authorize_url(identity_provider="Keys")
    start = time.monotonic()
    try:
        got = f.follow(url)
    finally:
        took = time.monotonic() - start
        silent.close()
    assert took < (7 if jwks == "silent" else 3), took
    assert oidc_idp.log("token"), "the code was not redeemed"
    if jwks == "nokeys":
        refused_back(f, got)
        assert got["state"] == q["state"]
        assert "ID token" in got["error_description"]
        assert stand.hits.count(name) == 1
    else:
        assert not isinstance(got, dict), got
        status, _, body, at = got
        assert at.startswith(f.idpresponse)
        assert status == 502 and "Keys" in body, (status, body)
        assert "could not be fetched" in body
        assert "code=" not in body
        assert f.users() == []
    if jwks == "silent":
        assert took > 4.5 and "5 seconds" in body, (took, body)
    # The daemon is well: the provider's keys back, the user signs in.
    f.idp.update_identity_provider(
        UserPoolId=f.pool_id, ProviderName="Keys",
        ProviderDetails=dict(details, jwks_uri=oidc_idp.jwks_url))
    f.browser.jar.clear()
    back, verifier = f.sign_in(identity_provider="Keys")
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["cognito:username"] == "Keys_" + user["sub"]

def test_login_page_buttons_in_chromium(server, fed, node,  # noqa: F811
                                        chromium):
    port = free_port()
    fed.client_id = fed.make_client(
        ["Corp"], callback="http://localhost:%d/callback" % port)
    shots = shots_dir("fed_buttons")
    fed.browser_ws = chromium
    r = NpmApp.run(fed, node, "fed_browser.js", "idp_buttons", timeout=120,
                   port=port, provider="Corp",
                   email="someone@corp.example", shots=shots)
    first = r.value("button")
    assert first["shown"]["buttons"] == ["idpButton-customizable idp-button"]
    assert first["shown"]["email"] and first["shown"]["password"]
    assert first["id"]["cognito:username"] == "Corp_" + fed.user["sub"]
    assert first["id"]["email"] == fed.user["email"]
    assert r.value("email")["id"]["sub"] == first["id"]["sub"]
    assert len(fed.users()) == 1
    # Without COGNITO, the page has the buttons and no password form.
    only = fed.make_client(["Corp"], cognito=False)
    url, _, _ = fed.authorize_url(only)
    status, hdrs, _ = fed.browser.get(url)
    status, _, page = fed.browser.get(
        urllib.parse.urljoin(url, hdrs["Location"]))
    assert status == 200 and 'id="idp-Corp"' in page
    assert 'name="password"' not in page
    # Nor does a password posted there sign anyone in.
    csrf = [c.value for c in fed.browser.jar if c.name == "userpoold_csrf"]
    status, _, page = fed.browser.post(
        urllib.parse.urljoin(url, hdrs["Location"]),
        {"_csrf": csrf[0], "username": "x", "password": "Passw0rd!"})
    assert status == 400 and "identity providers" in page



def test_google_and_facebook_buttons_in_chromium(
        server, idp, make_pool, oidc_idp, facebook_idp,  # noqa: F811
        node, chromium):  # noqa: F811
    """The /login page of a client with Google and Facebook: each social
    button clicked in Chromium goes through its stand-in and back to an
    openid-client relying party, whose tokens jose verifies; Facebook's
    IdpIdentifiers domain typed in the e-mail field leads to Facebook."""
    f = Fed(server, idp, make_pool)
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Google", "Google", oidc_idp.google_details(cid, secret),
                   {"email": "email", "given_name": "given_name"})
    cid, secret = facebook_idp.add_client([f.idpresponse])
    f.add_provider("Facebook", "Facebook", facebook_idp.details(cid, secret),
                   {"email": "email", "name": "name"}, ["fb.example"])
    port = free_port()
    f.client_id = f.make_client(
        ["Google", "Facebook"], callback="http://localhost:%d/callback" % port)
    g = oidc_idp.google_user(given_name="Gina")
    oidc_idp.set(auto_login=g["sub"])
    fb = facebook_idp.add_user(first_name="Fay")
    facebook_idp.set(auto_login=fb["id"])
    f.browser_ws = chromium
    r = NpmApp.run(f, node, "fed_browser.js", "idp_buttons", timeout=120,
                   port=port, providers=["Google", "Facebook"],
                   email="someone@fb.example",
                   shots=shots_dir("fed_social_buttons"))
    google = r.value("button-Google")
    assert google["shown"]["buttons"] == [
        "socialButton-customizable idp-button"] * 2
    assert google["shown"]["email"] and google["shown"]["password"]
    assert google["id"]["cognito:username"] == "Google_" + g["sub"]
    assert google["id"]["email"] == g["email"]
    assert google["id"]["identities"][0]["providerType"] == "Google"
    facebook = r.value("button-Facebook")
    assert facebook["id"]["cognito:username"] == "Facebook_" + fb["id"]
    assert facebook["id"]["email"] == fb["email"]
    assert facebook["id"]["identities"][0]["providerType"] == "Facebook"
    assert r.value("email")["id"]["sub"] == facebook["id"]["sub"]
    assert len(oidc_idp.log("authorize")) == 1
    assert len(facebook_idp.log("authorize")) == 2
    got = {u["Username"]: attrs(u) for u in f.users()}
    assert got["Google_" + g["sub"]]["given_name"] == "Gina"
    assert got["Facebook_" + fb["id"]]["name"] == fb["name"]
    assert len(got) == 2

REFRESH_MIN = 5     # idp_keys_refresh_min of the rotation test's daemon


@pytest.fixture(scope="module")
def one_worker():
    """A daemon of one worker (one JWKS cache) whose forced JWKS fetches
    wait REFRESH_MIN seconds after the previous fetch (30 by default)."""
    srv = Server(extra_args=["--workers=1",
                             "--idp_keys_refresh_min=%d" % REFRESH_MIN])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports


def test_rotated_key_is_accepted_after_one_refresh(one_worker,
                                                   oidc_idp):  # noqa: F811
    idp = one_worker.boto3()
    f = Fed(one_worker, idp, lambda **kw: idp.create_user_pool(
        PoolName="rot-%s" % uuid.uuid4().hex[:8], **kw)["UserPool"])
    cid, secret = oidc_idp.add_client([f.idpresponse])
    f.add_provider("Corp", "OIDC", oidc_idp.oidc_details(cid, secret))
    f.client_id = f.make_client(["Corp"])
    user = oidc_idp.add_user(
        email="rot-%s@corp.example" % uuid.uuid4().hex[:8])
    oidc_idp.set(auto_login=user["sub"])
    # The first sign-in caches the JWKS of the first key.
    back, _ = f.sign_in(identity_provider="Corp")
    assert "code" in back
    fetched = len(oidc_idp.log("jwks"))
    # The provider rolls to its second key and publishes it.
    oidc_idp.set(publish_second_key=True, id_token={"key": "second"})
    f.browser.jar.clear()
    # Within REFRESH_MIN of the last fetch, the unknown kid fetches
    # nothing and is refused.
    back = f.follow(f.authorize_url(identity_provider="Corp")[0])
    assert back.get("error") == "invalid_request" and "code" not in back
    assert "kid" in back["error_description"]
    assert len(oidc_idp.log("jwks")) == fetched
    # Once REFRESH_MIN has passed, the unknown kid forces one fetch, which
    # brings the new key: the sign-in passes.
    time.sleep(REFRESH_MIN + 0.5)
    f.browser.jar.clear()
    back, verifier = f.sign_in(identity_provider="Corp")
    assert "code" in back, back
    assert len(oidc_idp.log("jwks")) == fetched + 1
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["cognito:username"] == "Corp_" + user["sub"]
    # The next sign-in with the new key uses the cached JWKS.
    f.browser.jar.clear()
    assert "code" in f.sign_in(identity_provider="Corp")[0]
    assert len(oidc_idp.log("jwks")) == fetched + 1
