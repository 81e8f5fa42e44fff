"""The local identity providers of the federation tests, checked on their
own with plain Python clients (no userpoold): the OIDC provider's
discovery and code flow with PKCE give an ID token whose signature
verifies with its JWKS, and its negative knobs break exactly what they
say; the Facebook stand-in's code flow and /me; the SAML IdP's answer to
an AuthnRequest made here verifies with pysaml2 as a service provider,
and its negative knobs make pysaml2 refuse it.
"""
import base64
import hashlib
import json
import secrets
import urllib.parse

import jwt
import pytest

from idp_servers import (Browser, html_forms,  # noqa: F401 (fixtures)
                         facebook_idp, facebook_idp_server, oidc_idp,
                         oidc_idp_server)

REDIRECT = "https://127.0.0.1:1/cb"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def oidc_code(idp, client_id, browser=None, login=None, **params):
    """Run the authorization request; (code, verifier, nonce, browser)."""
    browser = browser or Browser()
    verifier, challenge = pkce()
    nonce = secrets.token_urlsafe(12)
    q = dict(client_id=client_id, response_type="code",
             scope="openid email profile", redirect_uri=REDIRECT,
             state="st-1", nonce=nonce, code_challenge=challenge,
             code_challenge_method="S256", **params)
    url = idp.authorize_url + "?" + urllib.parse.urlencode(q)
    out = browser.follow(url, lambda u: u.startswith(REDIRECT))
    if login is not None:
        # The login page: fill in the username and submit, as a user does.
        status, _, body, page = out
        assert status == 200 and 'id="username"' in body
        form = html_forms(body, page)[0]
        status, headers, _ = browser.post(
            form["action"], dict(form["fields"], username=login))
        assert status == 303
        out = browser.follow(urllib.parse.urljoin(page, headers["Location"]),
                             lambda u: u.startswith(REDIRECT))
    assert isinstance(out, str), out
    back = urllib.parse.parse_qs(urllib.parse.urlsplit(out).query)
    assert back["state"] == ["st-1"]
    return back["code"][0], verifier, nonce, browser


def oidc_tokens(idp, client_id, secret, code, verifier):
    status, _, body = Browser().post(idp.token_url, {
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": REDIRECT, "client_id": client_id,
        "client_secret": secret, "code_verifier": verifier})
    assert status == 200, body
    return json.loads(body)


def verify(idp, token, client_id, nonce):
    """The ID token's claims, verified as a relying party does."""
    _, _, disc = Browser().get(idp.discovery_url)
    jwks_uri = json.loads(disc)["jwks_uri"]
    _, _, keys = Browser().get(jwks_uri)
    jwks = jwt.PyJWKSet.from_dict(json.loads(keys))
    kid = jwt.get_unverified_header(token).get("kid")
    key = next(k for k in jwks.keys if k.key_id == kid)
    c = jwt.decode(token, key.key, algorithms=["RS256"], audience=client_id,
                   issuer=idp.issuer)
    assert c["nonce"] == nonce
    return c


def test_oidc_code_flow_with_pkce(oidc_idp):
    client_id, secret = oidc_idp.add_client([REDIRECT])
    user = oidc_idp.google_user(department="R&D")
    _, _, disc = Browser().get(oidc_idp.discovery_url)
    disc = json.loads(disc)
    assert disc["issuer"] == oidc_idp.issuer
    assert disc["token_endpoint"] == oidc_idp.token_url
    assert "S256" in disc["code_challenge_methods_supported"]

    code, verifier, nonce, browser = oidc_code(oidc_idp, client_id,
                                               login=user["email"])
    tokens = oidc_tokens(oidc_idp, client_id, secret, code, verifier)
    c = verify(oidc_idp, tokens["id_token"], client_id, nonce)
    for k in ("sub", "email", "email_verified", "name", "given_name",
              "family_name", "picture", "department"):
        assert c[k] == user[k]
    # userinfo, after a change at the IdP; the second sign-in reuses the
    # IdP session (no page) and sees the new e-mail.
    oidc_idp.set_user(user["sub"], email="new-" + user["email"])
    code, verifier, nonce, _ = oidc_code(oidc_idp, client_id, browser)
    tokens = oidc_tokens(oidc_idp, client_id, secret, code, verifier)
    assert verify(oidc_idp, tokens["id_token"], client_id,
                  nonce)["email"] == "new-" + user["email"]
    status, _, body = Browser().get(oidc_idp.userinfo_url, headers={
        "Authorization": "Bearer " + tokens["access_token"]})
    assert status == 200 and json.loads(body)["email"] == \
        "new-" + user["email"]
    assert [e["auth"] for e in oidc_idp.log("token")] == ["post", "post"]
    assert oidc_idp.log("authorize")[0]["params"][
        "code_challenge_method"] == "S256"


@pytest.mark.parametrize("knob,error", [
    ({"key": "second"}, StopIteration),
    ({"key": "second_same_kid"}, jwt.InvalidSignatureError),
    ({"key": "none"}, StopIteration),
    ({"key": "hs256"}, jwt.InvalidAlgorithmError),
    ({"claims": {"aud": "someone-else"}}, jwt.InvalidAudienceError),
    ({"claims": {"iss": "http://127.0.0.1:1"}}, jwt.InvalidIssuerError),
    ({"claims": {"nonce": "other"}}, AssertionError),
    ({"exp_in": -600}, jwt.ExpiredSignatureError),
])
def test_oidc_id_token_knobs(oidc_idp, knob, error):
    client_id, secret = oidc_idp.add_client([REDIRECT])
    user = oidc_idp.add_user(email="k@example.com")
    oidc_idp.set(id_token=knob)
    code, verifier, nonce, _ = oidc_code(oidc_idp, client_id,
                                         login_hint=user["sub"])
    tokens = oidc_tokens(oidc_idp, client_id, secret, code, verifier)
    with pytest.raises(error):
        verify(oidc_idp, tokens["id_token"], client_id, nonce)


def test_oidc_auto_login_deny_and_rotation(oidc_idp):
    client_id, secret = oidc_idp.add_client([REDIRECT])
    user = oidc_idp.add_user(name="Auto")
    oidc_idp.set(auto_login=user["sub"])
    code, verifier, nonce, _ = oidc_code(oidc_idp, client_id)
    tokens = oidc_tokens(oidc_idp, client_id, secret, code, verifier)
    assert verify(oidc_idp, tokens["id_token"], client_id,
                  nonce)["sub"] == user["sub"]
    # A rotation: the second key is published and signs.
    oidc_idp.set(publish_second_key=True, id_token={"key": "second"})
    code, verifier, nonce, _ = oidc_code(oidc_idp, client_id)
    tokens = oidc_tokens(oidc_idp, client_id, secret, code, verifier)
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == \
        "test-key-2"
    verify(oidc_idp, tokens["id_token"], client_id, nonce)
    # The user cancels: access_denied to the client.
    oidc_idp.set(deny="access_denied")
    url = oidc_idp.authorize_url + "?" + urllib.parse.urlencode(dict(
        client_id=client_id, response_type="code", scope="openid",
        redirect_uri=REDIRECT, state="s"))
    back = Browser().follow(url, lambda u: u.startswith(REDIRECT))
    assert "error=access_denied" in back


def facebook_code(idp, client_id, browser, login=None, **extra):
    """The dialog, signing in on its page when login is given; the URL
    the browser comes back to."""
    url = idp.authorize_url + "?" + urllib.parse.urlencode(dict(
        client_id=client_id, redirect_uri=REDIRECT, state="fb-st",
        scope="public_profile,email", response_type="code", **extra))
    out = browser.follow(url, lambda u: u.startswith(REDIRECT))
    if login is not None:
        status, _, body, page = out
        assert status == 200 and 'id="username"' in body
        form = html_forms(body, page)[0]
        status, headers, _ = browser.post(
            form["action"], dict(form["fields"], username=login))
        assert status == 302
        out = headers["Location"]
    assert isinstance(out, str) and out.startswith(REDIRECT), out
    return urllib.parse.parse_qs(urllib.parse.urlsplit(out).query)


def test_facebook_code_flow_and_me(facebook_idp):
    client_id, secret = facebook_idp.add_client([REDIRECT])
    user = facebook_idp.add_user()
    browser = Browser()
    back = facebook_code(facebook_idp, client_id, browser,
                         login=user["email"])
    assert back["state"] == ["fb-st"]
    token_req = {"client_id": client_id, "client_secret": secret,
                 "redirect_uri": REDIRECT, "code": back["code"][0]}
    status, _, body = Browser().post(facebook_idp.token_url, token_req)
    assert status == 200, body
    token = json.loads(body)
    assert token["token_type"] == "bearer"
    # A code is good once.
    status, _, body = Browser().post(facebook_idp.token_url, token_req)
    assert status == 400 and json.loads(body)["error"]["code"] == 100
    status, _, body = Browser().get(
        facebook_idp.me_url + "?fields=id,name,email,first_name&"
        + urllib.parse.urlencode({"access_token": token["access_token"]}))
    assert status == 200
    assert json.loads(body) == {k: user[k] for k in
                                ("id", "name", "email", "first_name")}
    # A changed e-mail, the next sign-in without a page (the cookie), the
    # token by GET with the code in the query, /me with a bearer token.
    facebook_idp.set_user(user["id"], email="new@example.com")
    back = facebook_code(facebook_idp, client_id, browser)
    status, _, body = Browser().get(
        facebook_idp.token_url + "?" + urllib.parse.urlencode(
            dict(token_req, code=back["code"][0])))
    assert status == 200, body
    status, _, body = Browser().get(
        facebook_idp.me_url + "?fields=email", headers={
            "Authorization": "Bearer " + json.loads(body)["access_token"]})
    assert json.loads(body) == {"id": user["id"], "email": "new@example.com"}
    assert [e["auth"] for e in facebook_idp.log("me")] == ["query", "bearer"]
    # Refused: a wrong secret, a bad token, a user who cancels.
    status, _, body = Browser().post(facebook_idp.token_url, dict(
        token_req, client_secret="wrong"))
    assert status == 400 and json.loads(body)["error"]["code"] == 1
    status, _, body = Browser().get(facebook_idp.me_url +
                                    "?access_token=EAATnope")
    assert status == 400 and json.loads(body)["error"]["code"] == 190
    facebook_idp.set(deny="access_denied")
    back = facebook_code(facebook_idp, client_id, Browser())
    assert back["error"] == ["access_denied"]
    assert back["error_reason"] == ["user_denied"]
