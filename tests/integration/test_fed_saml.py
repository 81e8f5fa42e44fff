"""Signing in through a SAML 2.0 identity provider at a pool domain
(issue 11: src/oauth/saml2.c, src/fed/saml_idp.c, src/fed/saml_keys.c):
/oauth2/authorize with identity_provider naming a SAML provider keeps
the application's request and sends the browser to the IdP's SSO URL
with an AuthnRequest (HTTP-Redirect; RelayState the state); the IdP
posts its Response to /saml2/idpresponse, which checks it (signature by
the metadata's certificate, audience, recipient, time, InResponseTo,
decryption with the pool's key, the assertion ID used once), signs the
user in through the federation core and answers the application with
the pool's code. Against the pysaml2 IdP of idp_servers.py, which
really signs and encrypts; a scripted cookie-jar browser posts the
IdP's auto-submitting form.

Also: IdP-initiated sign-in (RelayState holding the authorization
request) with IDPInit on and refused with it off, the replay of an
assertion, the SP metadata at /saml2/metadata registered at the IdP by
URL (the IdP checks the signed AuthnRequest with its certificate),
GetSigningCertificate, and /logout through the IdP with IDPSignout
(with logout_uri, and with redirect_uri and response_type).
Every refusal writes no user."""
import base64
import re
import time
import urllib.parse
import uuid
import zlib

import pytest

from conftest import free_port
from idp_servers import (Browser, html_forms, saml_idp,  # noqa: F401
                         saml_idp_server)
from test_browser import chromium, shots_dir  # noqa: F401
from test_fed_oidc import CALLBACK2, Fed, attrs
from test_npm_clients import App as NpmApp
from test_npm_clients import node  # noqa: F401
from test_oauth import CALLBACK, SIGNED_OUT, pkce

MAPPING = {"email": "email", "name": "name"}


class Saml(Fed):
    def __init__(self, server, idp, make_pool, saml, name="Okta",
                 identifiers=None, **details):
        super().__init__(server, idp, make_pool)
        self.saml = saml
        self.name = name
        self.entity = "urn:amazon:cognito:sp:" + self.pool_id
        self.acs = self.domain_url + "/saml2/idpresponse"
        self.add_provider(name, "SAML", saml.details(**details), MAPPING,
                          identifiers)
        self.client_id = self.make_client([name], cognito=False)

    def make_client(self, providers, callback=CALLBACK, cognito=True):
        c = self.idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="saml",
            AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "email", "profile"],
            CallbackURLs=[callback], LogoutURLs=[SIGNED_OUT],
            SupportedIdentityProviders=(["COGNITO"] if cognito else []) +
            list(providers))
        return c["UserPoolClient"]["ClientId"]

    def to_idp(self, **extra):
        """authorize -> the IdP's answer: (form, q, verifier)."""
        url, q, verifier = self.authorize_url(
            identity_provider=self.name, **extra)
        status, hdrs, _ = self.browser.get(url)
        assert status == 302, status
        loc = hdrs["Location"]
        assert loc.startswith(self.saml.sso_url + "?"), loc
        status, _, body = self.browser.get(loc)
        assert status == 200, body[:300]
        forms = html_forms(body, loc)
        assert forms and forms[0]["action"] == self.acs, body[:300]
        return forms[0], q, verifier

    def post(self, form):
        """Post the IdP's form to the ACS: the redirect's query, or
        (status, body)."""
        status, hdrs, body = self.browser.post(form["action"],
                                               form["fields"])
        loc = hdrs.get("Location") or ""
        if status == 302 and loc.startswith(CALLBACK):
            return dict(urllib.parse.parse_qsl(
                urllib.parse.urlsplit(loc).query))
        return status, body

    def saml_sign_in(self, **extra):
        form, q, verifier = self.to_idp(**extra)
        back = self.post(form)
        assert isinstance(back, dict), back
        assert back.get("state") == q["state"]
        return back, verifier


@pytest.fixture
def fed(server, idp, make_pool, saml_idp):  # noqa: F811
    f = Saml(server, idp, make_pool, saml_idp)
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    f.user = saml_idp.add_user(name="Saml User")
    saml_idp.set(auto_login=f.user["name_id"])
    return f


def test_sp_initiated_sign_in(server, fed):
    url, q, verifier = fed.authorize_url(identity_provider="Okta")
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302
    sent = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    assert set(sent) == {"SAMLRequest", "RelayState"}
    assert sent["RelayState"] != q["state"]
    xml = zlib.decompress(base64.b64decode(sent["SAMLRequest"]), -15)
    assert b"AuthnRequest" in xml and fed.acs.encode() in xml
    cookie = [c for c in hdrs.get_all("Set-Cookie")
              if c.startswith("userpoold_saml=")][0]
    for flag in ("HttpOnly", "Secure", "SameSite=None",
                 "Path=/%s/saml2/" % fed.prefix):
        assert flag in cookie
    status, _, body = fed.browser.get(hdrs["Location"])
    form = html_forms(body, hdrs["Location"])[0]
    assert form["fields"]["RelayState"] == sent["RelayState"]
    logged = fed.saml.log("sso")[-1]
    assert logged["issuer"] == fed.entity and logged["acs_url"] == fed.acs
    back = fed.post(form)
    assert back["state"] == q["state"] and "code" in back
    toks = fed.tokens(back, verifier)
    idc = fed.claims(toks["id_token"], "id")
    name = "Okta_" + fed.user["name_id"]
    assert idc["cognito:username"] == name
    assert idc["email"] == fed.user["email"]
    assert idc["identities"][0]["providerType"] == "SAML"
    assert idc["identities"][0]["userId"] == fed.user["name_id"]
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["email"] == fed.user["email"]
    assert attrs(u)["name"] == "Saml User"
    # The state is single use: the same form again is refused, a page.
    status, body = fed.post(form)
    assert status == 400 and "expired" in body
    # Another browser (no cookie) cannot use a state either.
    form, _, _ = fed.to_idp()
    fed.browser = Browser(ssl_context=server.ssl_context())
    status, body = fed.post(form)
    assert status == 400
    assert len(fed.users()) == 1


NEGATIVE = [
    ({"sign_assertion": False, "sign_response": False}, "unsigned"),
    ({"key": "second"}, "other key"),
    ({"expired": True}, "expired"),
    ({"not_yet_valid": True}, "not yet valid"),
    ({"audience": "urn:amazon:cognito:sp:us-east-1_other"}, "audience"),
    ({"recipient": "https://elsewhere.example/saml2/idpresponse"},
     "recipient"),
    ({"tamper": {"NameID": "someone-else"}}, "tampered NameID"),
    ({"tamper": {"email": "evil@example.com"}}, "tampered attribute"),
    ({"wrap": {"mode": "sibling", "name_id": "victim"}}, "wrapped"),
    ({"wrap": {"mode": "advice", "name_id": "victim"}}, "wrapped advice"),
    ({"in_response_to": "_0123456789abcdef"}, "InResponseTo"),
    ({"encrypt": True}, "encrypted, no EncryptedResponses"),
]


def test_two_tabs_sign_in_from_one_browser(server, fed):
    """Two SAML sign-ins started at once in one browser: the second
    keeps the browser's cookie value, so the first one completes."""
    first = fed.to_idp()
    second = fed.to_idp()
    values = {c.value for c in fed.browser.jar
              if c.name in ("userpoold_saml", "userpoold_idp")}
    assert len(values) == 1
    for form, q, verifier in (first, second):
        back = fed.post(form)
        assert isinstance(back, dict), back
        assert back.get("state") == q["state"] and "code" in back
        idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
        assert idc["cognito:username"] == "Okta_" + fed.user["name_id"]


def test_refused_responses_write_nothing(server, fed):
    # By its metadata, so that the IdP can encrypt for the pool.
    fed.saml.add_sp(metadata_url=fed.domain_url + "/saml2/metadata")
    # A first sign-in, so that replay has a Response to answer with.
    fed.saml_sign_in()
    fed.idp.admin_delete_user(UserPoolId=fed.pool_id,
                              Username="Okta_" + fed.user["name_id"])
    for knobs, why in NEGATIVE:
        fed.saml.reset()
        fed.saml.set(auto_login=fed.user["name_id"], **knobs)
        form, q, _ = fed.to_idp()
        back = fed.post(form)
        assert isinstance(back, dict), (why, back)
        assert "code" not in back, why
        assert back["error"] == "invalid_request", why
        assert back["state"] == q["state"], why
        assert fed.users() == [], why
    # The IdP's last Response again, with its own (used) RelayState.
    fed.saml.set(auto_login=fed.user["name_id"], replay=True)
    form, _, _ = fed.to_idp()
    assert fed.post(form)[0] == 400
    assert fed.users() == []
    fed.saml.reset()
    fed.saml.set(auto_login=fed.user["name_id"])
    back, _ = fed.saml_sign_in()
    assert "code" in back


def test_changed_email_and_sso_to_a_second_client(server, fed):
    back, verifier = fed.saml_sign_in()
    fed.tokens(back, verifier)
    name = "Okta_" + fed.user["name_id"]
    new = "new-%s@example.com" % uuid.uuid4().hex[:6]
    fed.saml.set_user(fed.user["name_id"], email=new)
    back, verifier = fed.saml_sign_in()
    idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
    assert idc["email"] == new and idc["cognito:username"] == name
    u = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=name)
    assert attrs(u)["email"] == new
    assert len(fed.users()) == 1
    # A second application signs in by the hosted-UI session alone,
    # without an AuthnRequest to the IdP.
    seen = len(fed.saml.log("sso"))
    second = fed.make_client([fed.name], callback=CALLBACK2, cognito=False)
    url, q, verifier = fed.authorize_url(second, CALLBACK2)
    status, hdrs, _ = fed.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2), hdrs
    back = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    assert back["state"] == q["state"]
    toks = fed.tokens(back, verifier, second, CALLBACK2)
    assert fed.claims(toks["access_token"], "access")["username"] == name
    assert len(fed.saml.log("sso")) == seen


def test_unknown_relay_state_and_deleted_provider(server, fed):
    form, q, _ = fed.to_idp()
    bad = dict(form, fields=dict(form["fields"], RelayState="x" * 43))
    status, body = fed.post(bad)
    assert status == 400 and "expired" in body
    fed.idp.delete_identity_provider(UserPoolId=fed.pool_id,
                                     ProviderName="Okta")
    status, body = fed.post(form)
    assert status == 400
    assert fed.users() == []


def test_metadata_fetched_again_when_expired(server, idp, make_pool,
                                             saml_idp):  # noqa: F811
    # The stored metadata lists the primary key and is valid 2 s; the
    # IdP then rolls to its second key: only metadata fetched again
    # after its validUntil verifies the next Response.
    saml_idp.set(metadata_valid_s=2)
    f = Saml(server, idp, make_pool, saml_idp)
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    user = saml_idp.add_user()
    saml_idp.set(auto_login=user["name_id"], key="second",
                 metadata_certs=["second"], metadata_valid_s=5)
    time.sleep(2.5)
    back, _ = f.saml_sign_in()
    assert "code" in back, back
    d = idp.describe_identity_provider(UserPoolId=f.pool_id,
                                       ProviderName="Okta")
    details = d["IdentityProvider"]["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == saml_idp.sso_url
    assert details["MetadataURL"] == saml_idp.metadata_url
    # The metadata fetched again was kept (valid 5 s): with the IdP's
    # metadata endpoint failing, the next sign-in still passes...
    saml_idp.set(fail={"metadata": 500})
    back, _ = f.saml_sign_in()
    assert "code" in back, back
    # ...until it expires: then the sign-in is refused at once.
    time.sleep(5.5)
    url, q, _ = f.authorize_url(identity_provider="Okta")
    back = f.follow(url)
    assert back["error"] == "invalid_request" and "code" not in back
    assert "metadata" in back["error_description"]
    # A large Response (Cognito takes 100,000 characters) is read, not
    # refused as an oversized form (here: no such state, a page).
    status, body = f.post({"action": f.acs, "fields": {
        "SAMLResponse": "A" * 100000, "RelayState": "x" * 43}})
    assert status == 400 and "expired" in body


def test_metadata_encrypted_and_signed_requests(server, idp, make_pool,
                                                saml_idp):  # noqa: F811
    f = Saml(server, idp, make_pool, saml_idp, EncryptedResponses=True,
             RequestSigningAlgorithm="rsa-sha256")
    status, hdrs, body = f.browser.get(f.domain_url + "/saml2/metadata")
    assert status == 200 and "samlmetadata" in hdrs["Content-Type"]
    assert 'entityID="%s"' % f.entity in body
    assert f.acs in body and f.domain_url + "/saml2/logout" in body
    cert = idp.get_signing_certificate(UserPoolId=f.pool_id)["Certificate"]
    assert cert in re.sub(r"\s", "", body)
    assert base64.b64decode(cert)[:1] == b"\x30"
    # The IdP registers the pool by its metadata URL: the certificate
    # there checks the AuthnRequest and encrypts the assertion.
    saml_idp.add_sp(metadata_url=f.domain_url + "/saml2/metadata")
    user = saml_idp.add_user()
    # EncryptedResponses on: a signed but plain assertion is refused.
    saml_idp.set(auto_login=user["name_id"], encrypt=False)
    form, q, _ = f.to_idp()
    back = f.post(form)
    assert isinstance(back, dict), back
    assert back["error"] == "invalid_request" and "code" not in back
    assert back["state"] == q["state"]
    assert f.users() == []
    saml_idp.set(auto_login=user["name_id"], encrypt=True)
    form, q, verifier = f.to_idp()
    logged = saml_idp.log("sso")[-1]
    assert logged["signed"] and logged["signature_valid"] is True
    assert "EncryptedAssertion" in saml_idp.last()["xml"]
    back = f.post(form)
    assert "code" in back, back
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["email"] == user["email"]
    # The same certificate on every call; none for a pool that is not.
    assert idp.get_signing_certificate(
        UserPoolId=f.pool_id)["Certificate"] == cert
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.get_signing_certificate(UserPoolId="us-east-1_Nonexist0")


def idp_init_relay(f, **extra):
    verifier, challenge = pkce()
    q = dict(identity_provider=f.name, client_id=f.client_id,
             redirect_uri=CALLBACK, response_type="code",
             scope="openid email", code_challenge=challenge,
             code_challenge_method="S256")
    q.update(extra)
    return urllib.parse.urlencode(q), verifier


def idp_init_form(f, relay, user):
    status, _, body = f.browser.get(f.saml.idp_init_url(
        f.entity, relay_state=relay, user=user))
    assert status == 200, body[:300]
    return html_forms(body, f.saml.base_url)[0]


def test_idp_initiated(server, idp, make_pool, saml_idp):  # noqa: F811
    f = Saml(server, idp, make_pool, saml_idp, IDPInit=True)
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    user = saml_idp.add_user()
    relay, verifier = idp_init_relay(f)
    form = idp_init_form(f, relay, user["name_id"])
    back = f.post(form)
    assert "code" in back, back
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["cognito:username"] == "Okta_" + user["name_id"]
    # The same Response again: a replay, refused at the redirect_uri.
    back = f.post(form)
    assert back["error"] == "invalid_request" and "code" not in back
    assert "used" in back["error_description"]
    # A RelayState without an application is a page.
    bad = dict(form, fields=dict(form["fields"], RelayState="a=b"))
    assert f.post(bad)[0] == 400
    # A client that also supports COGNITO may not take IdP-initiated
    # Responses (Cognito: SAML providers only).
    mixed = f.make_client(["Okta"], cognito=True)
    relay2, _ = idp_init_relay(f, client_id=mixed)
    other = saml_idp.add_user()
    back = f.post(idp_init_form(f, relay2, other["name_id"]))
    assert back["error"] == "invalid_request" and "code" not in back
    assert "SAML providers only" in back["error_description"]
    # IDPInit off: refused, no user.
    f.idp.update_identity_provider(
        UserPoolId=f.pool_id, ProviderName="Okta",
        ProviderDetails=saml_idp.details(IDPInit=False))
    back = f.post(idp_init_form(f, relay, other["name_id"]))
    assert back["error"] == "invalid_request" and "code" not in back
    assert [u["Username"] for u in f.users()] == [
        "Okta_" + user["name_id"]]


def test_logout_through_the_idp(server, idp, make_pool, saml_idp):  # noqa
    f = Saml(server, idp, make_pool, saml_idp, IDPSignout=True)
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    user = saml_idp.add_user()
    saml_idp.set(auto_login=user["name_id"])
    f.saml_sign_in()
    logout = f.domain_url + "/logout?" + urllib.parse.urlencode(
        dict(client_id=f.client_id, logout_uri=SIGNED_OUT))
    status, hdrs, _ = f.browser.get(logout)
    assert status == 302, status
    loc = hdrs["Location"]
    assert loc.startswith(saml_idp.slo_url + "?"), loc
    assert "Signature=" in loc and "SigAlg=" in loc
    got = f.browser.follow(loc, lambda u: u.startswith(SIGNED_OUT))
    assert got == SIGNED_OUT, got[:2] if not isinstance(got, str) else got
    slo = saml_idp.log("slo")[-1]
    assert slo["issuer"] == f.entity and slo["name_id"] == user["name_id"]
    assert slo["signed"]
    # The hosted-UI session is gone: authorize goes to /login again.
    url, _, _ = f.authorize_url()
    status, hdrs, _ = f.browser.get(url)
    assert status == 302 and "/login?" in hdrs["Location"]
    # A LogoutResponse whose query signature was altered is refused.
    f.saml_sign_in()
    status, hdrs, _ = f.browser.get(logout)
    status, hdrs, _ = f.browser.get(hdrs["Location"])
    back = hdrs["Location"]
    assert back.startswith(f.domain_url + "/saml2/logout?")
    sig = re.search(r"Signature=([^&]+)", back).group(1)
    # One bit of the signature's bytes flipped: still well-formed base64
    # (a changed character of the URL text may break a %2B escape).
    raw = bytearray(base64.b64decode(urllib.parse.unquote(sig)))
    raw[10] ^= 1
    forged = urllib.parse.quote(base64.b64encode(bytes(raw)).decode(),
                                safe="")
    status, _, body = f.browser.get(back.replace(sig, forged))
    assert status == 400 and "signature does not verify" in body



def test_logout_through_the_idp_back_to_sign_in(server, idp, make_pool,
                                                saml_idp):  # noqa: F811
    """/logout's other form (client_id, redirect_uri, response_type, as
    Cognito takes it) with IDPSignout: the signed LogoutRequest goes to
    the IdP, whose answer comes back to /saml2/logout and from there to
    the sign-in page for that authorization request; a redirect_uri the
    client does not have is a page and no sign-out at the IdP."""
    f = Saml(server, idp, make_pool, saml_idp, IDPSignout=True)
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    user = saml_idp.add_user()
    saml_idp.set(auto_login=user["name_id"])
    f.saml_sign_in()
    bad = f.domain_url + "/logout?" + urllib.parse.urlencode(dict(
        client_id=f.client_id, redirect_uri="https://evil.example/cb",
        response_type="code"))
    status, _, body = f.browser.get(bad)
    assert status == 400 and "redirect_uri" in body
    assert saml_idp.log("slo") == []
    _, q, _ = f.authorize_url()		# a new authorization request
    status, hdrs, _ = f.browser.get(
        f.domain_url + "/logout?" + urllib.parse.urlencode(q))
    assert status == 302, status
    loc = hdrs["Location"]
    assert loc.startswith(saml_idp.slo_url + "?"), loc
    assert "Signature=" in loc and "SigAlg=" in loc
    answer = f.browser.follow(loc, lambda u: u.startswith(
        f.domain_url + "/saml2/logout?"))
    assert isinstance(answer, str), answer[:2]
    status, hdrs, _ = f.browser.get(answer)
    assert status == 302, status
    got = urllib.parse.urljoin(answer, hdrs["Location"])
    assert got.startswith(f.domain_url + "/login?"), got
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(got).query)) \
        == q
    slo = saml_idp.log("slo")[-1]
    assert slo["issuer"] == f.entity and slo["name_id"] == user["name_id"]
    assert slo["signed"]
    # The sign-in page of that request; the session is gone.
    status, _, page = f.browser.get(got)
    assert status == 200 and 'id="idp-Okta"' in page
    url, _, _ = f.authorize_url()
    status, hdrs, _ = f.browser.get(url)
    assert status == 302 and "/login?" in hdrs["Location"]
    # The sign-out's state is single use: its answer again is refused.
    status, _, body = f.browser.get(answer)
    assert status == 400 and "sign-out" in body
    assert len(saml_idp.log("slo")) == 1

def test_sign_in_in_chromium(server, idp, make_pool, saml_idp,  # noqa: F811
                             node, chromium):  # noqa: F811
    """The /login page's SAML button and its e-mail field in Chromium:
    the IdP's page posts the Response by script, cross-site, with the
    SameSite=None cookie; openid-client redeems the code and jose checks
    the ID token."""
    f = Saml(server, idp, make_pool, saml_idp, identifiers=["saml.example"])
    saml_idp.add_sp(pool_id=f.pool_id, domain_url=f.domain_url)
    user = saml_idp.add_user(name="Browser User")
    saml_idp.set(auto_login=user["name_id"])
    port = free_port()
    f.client_id = f.make_client(
        ["Okta"], callback="http://localhost:%d/callback" % port)
    f.browser_ws = chromium
    r = NpmApp.run(f, node, "fed_browser.js", "idp_buttons", timeout=120,
                   port=port, provider="Okta", email="someone@saml.example",
                   shots=shots_dir("fed_saml"))
    first = r.value("button")
    assert first["shown"]["buttons"] == ["idpButton-customizable idp-button"]
    assert first["id"]["cognito:username"] == "Okta_" + user["name_id"]
    assert first["id"]["email"] == user["email"]
    assert r.value("email")["id"]["sub"] == first["id"]["sub"]
    assert len(f.users()) == 1
