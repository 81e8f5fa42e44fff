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
import subprocess
import urllib.parse

import jwt
import pytest

from idp_servers import (Browser, html_forms,  # noqa: F401 (fixtures)
                         facebook_idp, facebook_idp_server, oidc_idp,
                         oidc_idp_server, saml_idp, saml_idp_server)

# Debian's pysaml2 7.0.1 on Python 3.11 warns about pathlib context managers.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
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


SP_POOL = "us-east-1_IdpTest1"
SP_ENTITY = "urn:amazon:cognito:sp:" + SP_POOL
SP_DOMAIN = "https://127.0.0.1:1/idp-test"
SP_ACS = SP_DOMAIN + "/saml2/idpresponse"


@pytest.fixture(scope="module")
def saml_sp(saml_idp_server, tmp_path_factory):
    """A pysaml2 service provider shaped as a pool's (entity id, ACS),
    with an encryption key pair, registered at the IdP; (Saml2Client
    factory, the SP's certificate PEM)."""
    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    tmp = tmp_path_factory.mktemp("sp")
    key, cert = str(tmp / "sp.key"), str(tmp / "sp.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "30",
                    "-subj", "/CN=" + SP_ENTITY], check=True,
                   capture_output=True)
    with open(cert) as f:
        cert_pem = f.read()
    saml_idp_server.add_sp(pool_id=SP_POOL, domain_url=SP_DOMAIN,
                           cert=cert_pem)

    def client(metadata=None, entity_id=SP_ENTITY, acs=SP_ACS):
        c = SPConfig()
        c.load({
            "entityid": entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": key, "cert_file": cert,
            "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
            "allow_unknown_attributes": True,
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [
                    (acs, BINDING_HTTP_POST)]},
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": True,
            }},
            "metadata": {"inline": [metadata or saml_idp_server.metadata()]},
        })
        return Saml2Client(config=c)

    return client


def saml_post(browser, url, acs=SP_ACS):
    """Follow the IdP's pages to the form posted to the ACS; its fields."""
    out = browser.follow(url, lambda u: False)
    status, _, body, page = out
    assert status == 200, body
    form = html_forms(body, page)[0]
    assert form["action"] == acs
    return form["fields"]


def saml_answer(saml_idp, sp, user=None, browser=None, relay_state="rs-1"):
    """SP-initiated: an AuthnRequest over HTTP-Redirect; (its id, the
    fields the IdP's page posts to the ACS)."""
    from saml2 import BINDING_HTTP_REDIRECT
    req_id, info = sp.prepare_for_authenticate(
        entityid=saml_idp.entity_id, relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT)
    url = dict(info["headers"])["Location"]
    if user is not None:
        url += "&" + urllib.parse.urlencode({"login_hint": user})
    fields = saml_post(browser or Browser(), url)
    assert fields.get("RelayState") == relay_state
    return req_id, fields


def saml_parse(sp, req_id, fields):
    """The SP's AuthnResponse (verified) of the IdP's answer."""
    from saml2 import BINDING_HTTP_POST
    # pysaml2 checks the Recipient only when given conv_info.
    return sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST,
        outstanding={req_id: "/"}, conv_info={"remote_addr": "127.0.0.1"})


def saml_sign_in(saml_idp, sp, user=None, browser=None):
    return saml_parse(sp, *saml_answer(saml_idp, sp, user, browser))


def test_saml_sp_initiated_signed(saml_idp, saml_sp):
    sp = saml_sp()
    user = saml_idp.add_user(given_name="Ada", groups=["a", "b"])
    r = saml_sign_in(saml_idp, sp, user["name_id"])
    assert r is not None and r.assertion is not None
    assert r.get_subject().text == user["name_id"]
    assert r.ava["email"] == [user["email"]]
    assert r.ava["groups"] == ["a", "b"]
    req = saml_idp.log("sso")[-1]
    assert req["issuer"] == SP_ENTITY and req["acs_url"] == SP_ACS
    assert saml_idp.last()["xml"].count("SignatureValue>") == 2
    # Signed response and encrypted assertion, with the key in the SP
    # registration; then IdP-initiated, which the SP accepts unsolicited.
    saml_idp.set(sign_response=True, encrypt=True)
    r = saml_sign_in(saml_idp, sp, user["name_id"])
    assert r.get_subject().text == user["name_id"]
    assert "EncryptedAssertion" in saml_idp.last()["xml"]
    saml_idp.reset()
    from saml2 import BINDING_HTTP_POST
    fields = saml_post(Browser(), saml_idp.idp_init_url(
        SP_ENTITY, relay_state="deep", user=user["name_id"]))
    assert fields["RelayState"] == "deep"
    r = sp.parse_authn_request_response(fields["SAMLResponse"],
                                        BINDING_HTTP_POST)
    assert r.get_subject().text == user["name_id"]


@pytest.mark.parametrize("knobs", [
    {"sign_assertion": False},
    {"key": "second"},
    {"expired": True},
    {"audience": "urn:amazon:cognito:sp:us-east-1_Other"},
    {"recipient": "https://127.0.0.1:1/other/saml2/idpresponse"},
    {"tamper": {"email": "boss@example.com"}},
    {"wrap": {"mode": "sibling", "name_id": "attacker"}},
    {"wrap": {"mode": "advice", "name_id": "attacker"}},
])
def test_saml_knobs_are_refused(saml_idp, saml_sp, knobs):
    sp = saml_sp()
    user = saml_idp.add_user()
    saml_idp.set(**knobs)
    req_id, fields = saml_answer(saml_idp, sp, user["name_id"])
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    # The knob did change the response.
    for knob, text in (("audience", "us-east-1_Other"),
                       ("recipient", "/other/saml2/"),
                       ("tamper", "boss@example.com"),
                       ("wrap", ">attacker<")):
        assert (text in xml) == (knob in knobs), knob
    try:
        r = saml_parse(sp, req_id, fields)
    except Exception:
        return  # refused
    # Accepted: then never as the forged subject, nor with forged values.
    assert r is None or (r.get_subject().text == user["name_id"] and
                         r.ava["email"] == [user["email"]]), knobs
    pytest.fail("pysaml2 accepted a response with %r" % knobs)


def test_saml_replay_and_rotation(saml_idp, saml_sp):
    sp = saml_sp()
    user = saml_idp.add_user()
    browser = Browser()
    saml_sign_in(saml_idp, sp, user["name_id"], browser)
    first = saml_idp.last()["saml_response"]
    # The same bytes again, with the IdP session (no login_hint needed).
    saml_idp.set(replay=True)
    fields = saml_post(browser, saml_idp.idp_init_url(SP_ENTITY))
    assert fields["SAMLResponse"] == first
    # A rotation: the second key signs and the metadata lists both.
    saml_idp.set(replay=False, key="second",
                 metadata_certs=["primary", "second"])
    r = saml_sign_in(saml_idp, saml_sp(saml_idp.metadata()),
                     user["name_id"], browser)
    assert r.get_subject().text == user["name_id"]
    assert saml_idp.metadata().count("X509Certificate>") == 4
    # Cancel: a Responder status.
    saml_idp.set(deny="access_denied", key="primary")
    req_id, fields = saml_answer(saml_idp, sp, user["name_id"])
    assert "status:AuthnFailed" in saml_idp.last()["xml"]
    with pytest.raises(Exception):
        saml_parse(sp, req_id, fields)


def test_saml_logout(saml_idp, saml_sp):
    from saml2 import saml, samlp
    from saml2.pack import http_redirect_message
    from saml2.s_utils import sid
    from saml2.time_util import instant
    sp = saml_sp()
    user = saml_idp.add_user()
    browser = Browser()
    saml_sign_in(saml_idp, sp, user["name_id"], browser)
    req = samlp.LogoutRequest(
        id=sid(), version="2.0", issue_instant=instant(),
        destination=saml_idp.slo_url,
        issuer=saml.Issuer(text=SP_ENTITY),
        name_id=saml.NameID(text=user["name_id"]))
    info = http_redirect_message(str(req), saml_idp.slo_url, "bye")
    status, headers, _ = browser.get(dict(info["headers"])["Location"])
    assert status == 302
    back = urllib.parse.urlsplit(headers["Location"])
    assert back.geturl().startswith(SP_DOMAIN + "/saml2/logout?")
    q = urllib.parse.parse_qs(back.query)
    assert q["RelayState"] == ["bye"] and "Signature" in q
    assert saml_idp.log("slo")[-1]["name_id"] == user["name_id"]
    # The IdP session is over: the next sign-in shows the login page.
    from saml2 import BINDING_HTTP_REDIRECT
    _, info = sp.prepare_for_authenticate(entityid=saml_idp.entity_id,
                                          binding=BINDING_HTTP_REDIRECT)
    status, _, body = browser.get(dict(info["headers"])["Location"])
    assert status == 200 and 'id="username"' in body


def test_saml_sp_from_metadata_url(saml_idp, saml_sp):
    """An SP registered by its metadata URL (served here over HTTP): the
    IdP encrypts for the certificate found there, and checks the
    signature of a signed AuthnRequest against it."""
    import http.server
    import threading
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.metadata import entity_descriptor
    from saml2.xmldsig import SIG_RSA_SHA256

    pool = "us-east-1_IdpTest2"
    domain = "https://127.0.0.1:1/idp-test-2"
    acs = domain + "/saml2/idpresponse"
    sp = saml_sp(entity_id="urn:amazon:cognito:sp:" + pool, acs=acs)
    md = str(entity_descriptor(sp.config)).encode()

    class Metadata(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(md)))
            self.end_headers()
            self.wfile.write(md)

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Metadata)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        got = saml_idp.add_sp(metadata_url="http://127.0.0.1:%d/md"
                              % srv.server_address[1])
    finally:
        srv.shutdown()
    assert got["entity_id"] == "urn:amazon:cognito:sp:" + pool
    assert got["acs_url"] == acs and got["cert"]
    user = saml_idp.add_user()
    saml_idp.set(encrypt="aes128-gcm")
    req_id, info = sp.prepare_for_authenticate(
        entityid=saml_idp.entity_id, relay_state="rs-2",
        binding=BINDING_HTTP_REDIRECT, sign=True, sigalg=SIG_RSA_SHA256)
    url = dict(info["headers"])["Location"] + "&" + urllib.parse.urlencode(
        {"login_hint": user["name_id"]})
    fields = saml_post(Browser(), url, acs)
    assert "EncryptedAssertion" in saml_idp.last()["xml"]
    r = saml_parse(sp, req_id, fields)
    assert r.get_subject().text == user["name_id"]
    req = saml_idp.log("sso")[-1]
    assert req["signed"] and req["sig_alg"] == SIG_RSA_SHA256
    assert req["signature_valid"] is True
    # The RelayState changed after signing: the IdP still answers, and
    # its log says the signature did not verify.
    saml_post(Browser(), url.replace("RelayState=rs-2", "RelayState=rs-3"),
              acs)
    assert saml_idp.log("sso")[-1]["signature_valid"] is False
