"""The SAML service-provider library (src/fed/saml_*.c) against a real
SAML 2.0 identity provider: idps/saml_idp.py, which pysaml2 runs and
xmlsec1 signs for, through the driver tests/integration/saml_sp (built
with the daemon, not part of it) until the hosted flow calls the
library over the wire (issue 11). An AuthnRequest made by the library
is sent to the IdP's SSO endpoint with a scripted browser; the IdP's
answer (the SAMLResponse of its auto-posting form) is checked by the
library: good ones signed on the assertion or the response, encrypted
with aes256-cbc or aes128-gcm, IdP-initiated; and the IdP's forgeries
(another key, unsigned, tampered, wrapped two ways, wrong audience,
recipient, destination, issuer, InResponseTo, expired, not yet valid, a
denied sign-in), each refused with its reason. The IdP registers the SP
from the library's SP metadata and checks the library's redirect
signatures (AuthnRequest and LogoutRequest) with the certificate there.
"""
import base64
import json
import os
import subprocess
import urllib.parse

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import userpoold_bin
from idp_servers import (Browser, html_forms, saml_idp,  # noqa: F401
                         saml_idp_server)

POOL = "us-east-1_SamlTest"
SP = "urn:amazon:cognito:sp:" + POOL
BASE = "https://auth.test/" + POOL.lower()
ACS = BASE + "/saml2/idpresponse"


def driver():
    path = os.path.join(os.path.dirname(os.path.dirname(userpoold_bin())),
                        "tests", "integration", "saml_sp")
    if not os.path.exists(path):
        pytest.skip("the saml_sp driver is not built")
    return path


def run(*args, stdin=None):
    out = subprocess.run([driver()] + [str(a) for a in args], input=stdin,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def sp_keys(tmp_path_factory):
    """The SP's RSA key and certificate: (key file, cert PEM, cert body)."""
    d = tmp_path_factory.mktemp("sp")
    key, cert = str(d / "sp.key"), str(d / "sp.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "30",
                    "-subj", "/CN=userpoold test SP"], check=True,
                   capture_output=True)
    pem = open(cert).read()
    body = "".join(l for l in pem.splitlines() if not l.startswith("-"))
    return key, pem, body


@pytest.fixture
def idp(saml_idp, sp_keys, tmp_path):
    """The IdP with this SP registered from the library's SP metadata
    (entity id, ACS and SLO URLs, the signing and encryption
    certificate), a user signed in automatically, and the IdP's
    metadata in a file."""
    md = run("metadata", POOL, BASE, sp_keys[2])["xml"]
    saml_idp.process.call("POST", "/test/sps", {"metadata": md})
    saml_idp.add_user("alice-42", email="alice@example.com",
                      groups=["staff", "admins"])
    saml_idp.set(auto_login="alice-42")
    meta = tmp_path / "idp.xml"
    meta.write_text(saml_idp.metadata())
    saml_idp.meta_file = str(meta)
    return saml_idp


def sign_in(idp, sp_keys, relay="relay-1"):
    """An AuthnRequest through the IdP: (request id, SAMLResponse)."""
    req = run("authn", idp.sso_url, SP, ACS, sp_keys[0], relay)
    status, _, body = Browser().get(req["url"])
    assert status == 200, body[:500]
    form = [f for f in html_forms(body) if "SAMLResponse" in f["fields"]]
    assert form and form[0]["action"] == ACS
    assert form[0]["fields"].get("RelayState") == relay
    return req["id"], form[0]["fields"]["SAMLResponse"]


def verify(idp, saml_response, irt, sp_key=None):
    args = ["verify", idp.meta_file, SP, ACS, irt or "-"]
    if sp_key:
        args.append(sp_key)
    return run(*args, stdin=saml_response)


def test_signed_assertion(idp, sp_keys):
    rid, resp = sign_in(idp, sp_keys)
    got = verify(idp, resp, rid)
    assert got["ok"], got
    assert got["name_id"] == "alice-42"
    assert got["attributes"]["email"] == ["alice@example.com"]
    assert got["attributes"]["groups"] == ["staff", "admins"]
    assert got["session_index"] and got["assertion_id"]
    # The IdP saw a signed AuthnRequest and its signature verified.
    log = idp.log("sso")[-1]
    assert log["id"] == rid and log["issuer"] == SP
    assert log["acs_url"] == ACS
    assert log["signed"] and log["signature_valid"] is True


@pytest.mark.parametrize("knobs", [
    {"sign_assertion": False, "sign_response": True},
    {"sign_assertion": True, "sign_response": True},
    {"encrypt": True},
    {"encrypt": "aes128-gcm", "sign_response": True},
    {"metadata_certs": ["second", "primary"]},
], ids=["signed-response", "both", "encrypted", "encrypted-gcm",
        "rolled-metadata"])
def test_good_variants(idp, sp_keys, knobs, tmp_path):
    idp.set(**knobs)
    meta = tmp_path / "idp2.xml"
    meta.write_text(idp.metadata())
    idp.meta_file = str(meta)
    rid, resp = sign_in(idp, sp_keys)
    got = verify(idp, resp, rid, sp_keys[0])
    assert got["ok"], got
    assert got["name_id"] == "alice-42"
    assert got["attributes"]["email"] == ["alice@example.com"]


def test_encrypted_needs_sp_key(idp, sp_keys):
    idp.set(encrypt=True)
    rid, resp = sign_in(idp, sp_keys)
    got = verify(idp, resp, rid)
    assert not got["ok"] and got["kind"] == "decrypt"


def test_idp_initiated(idp, sp_keys):
    status, _, body = Browser().get(idp.idp_init_url(SP, "deep-link"))
    assert status == 200
    resp = [f for f in html_forms(body)
            if "SAMLResponse" in f["fields"]][0]["fields"]["SAMLResponse"]
    got = verify(idp, resp, None)
    assert got["ok"], got
    # Unsolicited, so it cannot pass as the answer to a request.
    assert verify(idp, resp, "_someid")["kind"] == "in_response_to"


@pytest.mark.parametrize("knobs,kind", [
    ({"key": "second"}, "signature"),
    ({"sign_assertion": False}, "unsigned"),
    ({"tamper": {"email": "mallory@example.com"}}, "signature"),
    ({"tamper": {"NameID": "admin"}}, "signature"),
    ({"wrap": {"mode": "sibling", "name_id": "admin"}}, "wrapping"),
    ({"wrap": {"mode": "advice", "name_id": "admin"}}, "wrapping"),
    ({"audience": "urn:amazon:cognito:sp:us-east-1_Other"}, "audience"),
    ({"recipient": "https://evil.test/saml2/idpresponse"}, "recipient"),
    ({"destination": "https://evil.test/saml2/idpresponse"},
     "destination"),
    ({"issuer": "https://evil.test/metadata"}, "issuer"),
    ({"in_response_to": "_not_the_request"}, "in_response_to"),
    ({"expired": True}, "expired"),
    ({"not_yet_valid": True}, "not_yet_valid"),
    ({"deny": True}, "status"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_refused(idp, sp_keys, knobs, kind):
    idp.set(**knobs)
    rid, resp = sign_in(idp, sp_keys)
    got = verify(idp, resp, rid)
    assert not got["ok"], got
    assert got["kind"] == kind, got


def redirect_signature_ok(url, cert_pem):
    """The HTTP-Redirect binding's check of a signed query (§3.4.4.1):
    RSA-SHA256 over the query up to &Signature=, as sent."""
    query = urllib.parse.urlsplit(url).query
    signed, _, sig = query.partition("&Signature=")
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    try:
        cert.public_key().verify(
            base64.b64decode(urllib.parse.unquote(sig)), signed.encode(),
            padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def test_logout_request(idp, sp_keys):
    rid, resp = sign_in(idp, sp_keys)
    got = verify(idp, resp, rid)
    req = run("logout", idp.slo_url, SP, got["name_id"],
              got["session_index"], sp_keys[0])
    assert redirect_signature_ok(req["url"], sp_keys[1])
    assert not redirect_signature_ok(
        req["url"].replace("SAMLRequest=", "SAMLRequest=A", 1), sp_keys[1])
    status, headers, _ = Browser().get(req["url"])
    # The IdP took the LogoutRequest and answers the SP's SLO URL.
    assert status in (302, 303)
    assert headers["Location"].startswith(BASE + "/saml2/logout?")
    log = idp.log("slo")[-1]
    assert log["id"] == req["id"] and log["issuer"] == SP
    assert log["name_id"] == "alice-42" and log["signed"]
    assert "<samlp:SessionIndex>%s</samlp:SessionIndex>" % (
        got["session_index"]) in log["xml"]
