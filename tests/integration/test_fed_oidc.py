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

Negatives (each writes no user): a provider the client does not support,
a tampered or foreign state, an ID token signed with another key, or
with a wrong aud, iss or nonce, the provider's access_denied, and a
provider that is down (a clear page within the fetch timeout)."""
import time
import urllib.parse
import uuid

import pytest

from conftest import error_of
from idp_servers import (Browser, facebook_idp, facebook_idp_server,  # noqa: F401
                         oidc_idp, oidc_idp_server, unreachable_url)
from test_oauth import CALLBACK, App, pkce

CALLBACK2 = "https://app2.example/callback"


class Fed(App):
    """A pool with a domain and helpers for the hops; make_client() makes
    the app client (once its providers exist) that supports COGNITO and
    the providers."""

    def __init__(self, server, idp, make_pool):
        super().__init__(server, idp, make_pool, user=False)
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
    assert fed.claims(toks["access_token"], "access")["username"] == name
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["email"] == fed.user["email"]
    assert attrs(u)["name"] == "Corp User"
    # The provider saw the PKCE verifier and client_secret_post.
    tok = fed.oidc.log("token")[-1]
    assert tok["auth"] == "post" and tok["params"].get("code_verifier")
