"""A SAML 2.0 identity provider on loopback for the federation tests that
really signs: pysaml2 (Debian's python3-pysaml2) parses the requests and
signs and encrypts through xmlsec1, with RSA keys and self-signed
certificates that openssl makes at start-up in a temporary directory.

    python3 saml_idp.py [CONFIG-JSON]   (or in $SAML_IDP_CONFIG)

It listens on 127.0.0.1 (port 0 unless CONFIG["port"]), prints the port on
stdout when ready, and stops when its standard input (a pipe) closes.
Its entity id is http://127.0.0.1:<port>/metadata.
CONFIG: {"sps": [SP...], "users": [USER...], "knobs": {...}}.
SP: {"entity_id" (urn:amazon:cognito:sp:<UserPoolId> for a pool),
  "acs_url" (https://<domain>/saml2/idpresponse), "slo_url", "cert" (PEM,
  for encrypted assertions)} or {"metadata_url"} (the SP's metadata,
  fetched now; TLS not verified, it is a test) or {"metadata": XML}.
USER: {"name_id", "username" (to sign in with; or the name_id, or
  "email"), "name_id_format", and any other key is a SAML attribute, its
  name as given (e.g. "email" or
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"),
  a string or a list of strings}.

Endpoints:
  GET  /metadata   the IdP's metadata: its SSO and SLO endpoints
                   (HTTP-Redirect), the signing certificate(s)
  GET  /sso        an SP-initiated AuthnRequest over HTTP-Redirect
                   (SAMLRequest, RelayState[, SigAlg, Signature]); POST
                   /sso takes one over HTTP-POST, and the login form
  GET  /idp-init?sp=<entity id>&relay_state=...  IdP-initiated sign-in
  GET  /slo        a LogoutRequest over HTTP-Redirect: ends the IdP session
                   and redirects a signed LogoutResponse to the SP's
                   slo_url (a page saying so when it has none)
Sign-in: a login page (input#username, input#password ignored,
button#submit, button#cancel), or none when the browser has an IdP session
cookie (unless ForceAuthn), the auto_login knob names a user, or the
AuthnRequest's Subject or a login_hint query parameter names one. The
answer is an HTML page whose form (id saml-post) posts SAMLResponse and
RelayState to the ACS URL and submits itself by script: a Response with a
signed assertion (NameID, bearer SubjectConfirmation with Recipient,
InResponseTo and NotOnOrAfter, Conditions with the SP's Audience, an
AuthnStatement with a SessionIndex, the user's attributes). A cancel or
the deny knob answers a Response with status Responder/AuthnFailed.

Admin endpoints: those of httpbase.py (users keyed by name_id), and
  POST /test/sps         SP or [SP...]: register (or replace) SPs
  GET  /test/last        the last Response: {"xml", "saml_response"
                         (base64), "relay_state", "acs_url"}
  GET  /test/log         requests seen: {"endpoint", "binding", "id",
                         "issuer", "acs_url", "force_authn",
                         "signed" (a redirect Signature was there),
                         "sig_alg", "signature_valid" (checked against the
                         SP's cert when known, else null), "xml"}
Knobs (defaults in brackets; every knob lasts until changed or reset):
  auto_login [null], deny [null], delay_ms, fail [{}] (endpoints
  metadata, sso, slo)
  sign_assertion [true], sign_response [false]: both false = unsigned
  key ["primary"]      which key signs ("second": another key, its own
                       certificate in KeyInfo)
  metadata_certs [["primary"]]  the certificates the metadata lists
                       (["primary", "second"] or ["second"]: a rotation)
  metadata_valid_s [null]  validUntil that many seconds from now
  encrypt [false]      encrypt the assertion for the SP's cert (true:
                       aes256-cbc, or "aes128-gcm"; RSA-OAEP key transport)
  expired [false]      the assertion's NotOnOrAfter 10 minutes ago
  not_yet_valid [false] its NotBefore 10 minutes ahead
  time_shift_s [0]     every instant moved by that many seconds
  audience, recipient, destination, in_response_to, issuer [null]:
                       that value instead of the right one
  tamper [null]        {attribute: value} changed in the text after
                       signing ("NameID" for the subject)
  wrap [null]          {"mode": "sibling" | "advice", "name_id": ...,
                       attributes...}: an unsigned forged assertion for
                       that subject placed first, the signed one kept
                       beside it ("sibling") or inside the forged one's
                       Advice ("advice")
  replay [false]       answer with the last Response again, byte for byte
"""
import base64
import copy
import html
import os
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from saml2 import (BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name,
                   saml, samlp)
from saml2.config import IdPConfig
from saml2.pack import http_redirect_message
from saml2.s_utils import sid, success_status_factory
from saml2.server import Server
from saml2.sigver import (RSA_OAEP_MGF1P, pre_encrypt_assertion,
                          pre_encryption_part, pre_signature_part,
                          signed_instance_factory)
from saml2.time_util import instant
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

import httpbase

XMLSEC = "/usr/bin/xmlsec1"
LIFETIME = 300			# seconds an assertion is good for
SESSION_HOURS = 8
COOKIE = "saml_idp_session"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
AC_PPT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
FORMAT_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
ATTR_FORMAT_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
ATTR_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
ENCRYPTIONS = {
    True: ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes-256"),
    "aes256-cbc": ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes-256"),
    "aes128-gcm": ("http://www.w3.org/2009/xmlenc11#aes128-gcm", "aes-128"),
}


def make_keys(tmp, names):
    """For each name an RSA key and a self-signed certificate, made by
    openssl side by side: {name: (key file, cert file, the certificate's
    base64 body)}."""
    procs = {}
    for name in names:
        key, cert = (os.path.join(tmp, name + ".key"),
                     os.path.join(tmp, name + ".crt"))
        procs[name] = (key, cert, subprocess.Popen(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", key, "-out", cert, "-days", "3650",
             "-subj", "/CN=userpoold test SAML IdP %s" % name],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    keys = {}
    for name, (key, cert, proc) in procs.items():
        if proc.wait() != 0:
            raise RuntimeError("openssl failed to make a key")
        with open(cert) as f:
            keys[name] = (key, cert, pem_body(f.read()))
    return keys


def pem_body(pem):
    return "".join(l for l in pem.strip().splitlines()
                   if l and not l.startswith("-----"))


def pem_of(body):
    body = pem_body(body)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n"
            % "\n".join(lines))


def sp_from_metadata(xml_text):
    """An SP dict from SP metadata: entity id, the HTTP-POST ACS, the
    HTTP-Redirect SLO, the encryption certificate."""
    root = ET.fromstring(xml_text)
    if root.tag != "{%s}EntityDescriptor" % MD:
        root = root.find(".//{%s}EntityDescriptor" % MD)
    sp = {"entity_id": root.get("entityID")}
    desc = root.find("{%s}SPSSODescriptor" % MD)
    for acs in desc.findall("{%s}AssertionConsumerService" % MD):
        if acs.get("Binding") == BINDING_HTTP_POST:
            sp.setdefault("acs_url", acs.get("Location"))
    for slo in desc.findall("{%s}SingleLogoutService" % MD):
        if slo.get("Binding") == BINDING_HTTP_REDIRECT:
            sp.setdefault("slo_url", slo.get("Location"))
    for kd in desc.findall("{%s}KeyDescriptor" % MD):
        c = kd.find(".//{%s}X509Certificate" % DS)
        if c is not None and kd.get("use") in (None, "encryption"):
            sp["cert"] = c.text.strip()
        elif c is not None:
            sp.setdefault("signing_cert", c.text.strip())
    return sp


def fetch(url):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPSHandler(context=ctx))
    with opener.open(url, timeout=10) as r:
        return r.read().decode()


class SamlState(httpbase.IdpState):
    user_key = "name_id"

    def __init__(self, config, tmp):
        self.sps = {}
        self.sessions = {}
        self.last = None
        self.tmp = tmp
        self.keys = make_keys(tmp, ("primary", "second"))
        super().__init__(config)
        for sp in config.get("sps", []):
            self.add_sp(sp)

    def default_knobs(self):
        return dict(super().default_knobs(), login_hint=True,
                    sign_assertion=True, sign_response=False,
                    key="primary", metadata_certs=["primary"],
                    metadata_valid_s=None, encrypt=False, expired=False,
                    not_yet_valid=False, time_shift_s=0, audience=None,
                    recipient=None, destination=None, in_response_to=None,
                    issuer=None, tamper=None, wrap=None, replay=False)

    def setup(self, base_url):
        """The pysaml2 Servers (one per key) once the port is known."""
        self.base_url = base_url
        self.entity_id = base_url + "/metadata"
        self.servers = {}
        for name, (key, cert, _) in self.keys.items():
            c = IdPConfig()
            c.load({
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": key, "cert_file": cert,
                "accepted_time_diff": 180,
                "service": {"idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (base_url + "/sso", BINDING_HTTP_REDIRECT),
                            (base_url + "/sso", BINDING_HTTP_POST)],
                        "single_logout_service": [
                            (base_url + "/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "want_authn_requests_signed": False,
                }},
            })
            self.servers[name] = Server(config=c)

    def add_sp(self, sp):
        if "metadata_url" in sp:
            sp = dict(sp_from_metadata(fetch(sp["metadata_url"])), **sp)
        elif "metadata" in sp:
            sp = dict(sp_from_metadata(sp["metadata"]), **sp)
        if not sp.get("entity_id"):
            raise ValueError("an SP needs an entity_id")
        with self.lock:
            self.sps[sp["entity_id"]] = sp
        return sp

    def metadata(self):
        k = self.knobs
        certs = "".join(
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
            '<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>'
            '</ds:KeyInfo></md:KeyDescriptor>' % self.keys[name][2]
            for name in k["metadata_certs"])
        valid = ""
        if k["metadata_valid_s"] is not None:
            valid = ' validUntil="%s"' % time.strftime(
                "%Y-%m-%dT%H:%M:%SZ",
                time.gmtime(time.time() + k["metadata_valid_s"]))
        b = self.base_url
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<md:EntityDescriptor xmlns:md="%s" xmlns:ds="%s" '
            'entityID="%s"%s><md:IDPSSODescriptor '
            'WantAuthnRequestsSigned="false" protocolSupportEnumeration='
            '"urn:oasis:names:tc:SAML:2.0:protocol">%s'
            '<md:SingleLogoutService Binding="%s" Location="%s/slo"/>'
            '<md:NameIDFormat>%s</md:NameIDFormat>'
            '<md:SingleSignOnService Binding="%s" Location="%s/sso"/>'
            '<md:SingleSignOnService Binding="%s" Location="%s/sso"/>'
            '</md:IDPSSODescriptor></md:EntityDescriptor>\n'
            % (MD, DS, html.escape(self.entity_id), valid, certs,
               BINDING_HTTP_REDIRECT, b, FORMAT_PERSISTENT,
               BINDING_HTTP_REDIRECT, b, BINDING_HTTP_POST, b))


def attribute_statement(user):
    attrs = []
    for name, value in user.items():
        if name in ("name_id", "name_id_format", "username", "password"):
            continue
        values = value if isinstance(value, list) else [value]
        avs = []
        for v in values:
            av = saml.AttributeValue()
            av.set_text(str(v))
            avs.append(av)
        fmt = ATTR_FORMAT_URI if ":" in name else ATTR_FORMAT_BASIC
        attrs.append(saml.Attribute(name=name, name_format=fmt,
                                    attribute_value=avs))
    return saml.AttributeStatement(attribute=attrs)


def make_assertion(st, user, sp, acs_url, req_id, now, knobs):
    """The unsigned Assertion, with the knobs that change it."""
    shift = knobs["time_shift_s"]
    t = now + shift
    not_before, not_after = t - 5, t + LIFETIME
    if knobs["expired"]:
        not_before, not_after = t - 1200, t - 600
    if knobs["not_yet_valid"]:
        not_before = t + 600
    issuer = knobs["issuer"] or st.entity_id
    confirm = saml.SubjectConfirmationData(
        recipient=knobs["recipient"] or acs_url,
        not_on_or_after=instant(time_stamp=not_after))
    if req_id:
        confirm.in_response_to = knobs["in_response_to"] or req_id
    return saml.Assertion(
        id=sid(), version="2.0", issue_instant=instant(time_stamp=t),
        issuer=saml.Issuer(text=issuer, format=saml.NAMEID_FORMAT_ENTITY),
        subject=saml.Subject(
            name_id=saml.NameID(
                text=user["name_id"], sp_name_qualifier=sp["entity_id"],
                format=user.get("name_id_format", FORMAT_PERSISTENT)),
            subject_confirmation=[saml.SubjectConfirmation(
                method=saml.SCM_BEARER,
                subject_confirmation_data=confirm)]),
        conditions=saml.Conditions(
            not_before=instant(time_stamp=not_before),
            not_on_or_after=instant(time_stamp=not_after),
            audience_restriction=[saml.AudienceRestriction(
                audience=[saml.Audience(
                    text=knobs["audience"] or sp["entity_id"])])]),
        authn_statement=[saml.AuthnStatement(
            authn_instant=instant(time_stamp=t),
            session_index=sid(),
            session_not_on_or_after=instant(
                time_stamp=t + SESSION_HOURS * 3600),
            authn_context=saml.AuthnContext(
                authn_context_class_ref=saml.AuthnContextClassRef(
                    text=AC_PPT)))],
        attribute_statement=[attribute_statement(user)])


def build_response(st, user, sp, acs_url, req_id, status=None):
    """The Response as the knobs want it: an XML string."""
    knobs = copy.deepcopy(st.knobs)
    now = time.time()
    key = knobs["key"]
    server = st.servers[key]
    cert = st.keys[key][2]
    response = samlp.Response(
        id=sid(), version="2.0",
        issue_instant=instant(time_stamp=now + knobs["time_shift_s"]),
        destination=knobs["destination"] or acs_url,
        issuer=saml.Issuer(text=knobs["issuer"] or st.entity_id,
                           format=saml.NAMEID_FORMAT_ENTITY),
        status=status or success_status_factory())
    if req_id:
        response.in_response_to = knobs["in_response_to"] or req_id
    to_sign = []
    if status is None:
        assertion = make_assertion(st, user, sp, acs_url, req_id, now, knobs)
        response.assertion = assertion
        if knobs["sign_assertion"]:
            assertion.signature = pre_signature_part(
                assertion.id, cert, 1, sign_alg=SIG_RSA_SHA256,
                digest_alg=DIGEST_SHA256)
            to_sign.append((class_name(assertion), assertion.id))
    encrypt = knobs["encrypt"] and status is None
    if encrypt:
        # The assertion carries its own namespace declarations, since
        # it is read alone once decrypted.
        tag = response.assertion._to_element_tree().tag
        wrapped = pre_encrypt_assertion(response)
        xml = getattr(wrapped, "get_xml_string_with_self_contained_"
                      "assertion_within_encrypted_assertion")(tag)
        xml = signed_instance_factory(xml, server.sec, to_sign)
        xml = encrypt_assertion(server, sp, str(xml), encrypt)
        to_sign = []
        response = samlp.response_from_string(xml)
    if knobs["sign_response"]:
        response.signature = pre_signature_part(
            response.id, cert, 1, sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256)
        to_sign.append((class_name(response), response.id))
    xml = signed_instance_factory(response, server.sec, to_sign)
    xml = str(xml)
    if knobs["tamper"]:
        xml = tamper(xml, knobs["tamper"])
    if knobs["wrap"] and status is None:
        xml = wrap(st, xml, sp, acs_url, req_id, now, knobs)
    return xml


def encrypt_assertion(server, sp, xml, how):
    cert = sp.get("cert")
    if not cert:
        raise ValueError("encrypt: SP %s has no certificate"
                         % sp["entity_id"])
    msg_enc, session_key = ENCRYPTIONS[how]
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as f:
        f.write(pem_of(cert))
        f.flush()
        template = pre_encryption_part(
            msg_enc=msg_enc, key_enc=RSA_OAEP_MGF1P, key_name="sp",
            encrypt_cert=pem_body(cert))
        return server.sec.encrypt_assertion(xml, f.name, template,
                                            key_type=session_key)


def tamper(xml, changes):
    """Change attribute values (or the NameID) in signed text."""
    for name, value in changes.items():
        if name == "NameID":
            pat = r"(<(?:\w+:)?NameID\b[^>]*>)[^<]*(<)"
        else:
            pat = (r'(<(?:\w+:)?Attribute\b[^>]*Name="%s"[^>]*>\s*'
                   r'<(?:\w+:)?AttributeValue\b[^>]*>)[^<]*(<)'
                   % re.escape(html.escape(name)))
        xml, n = re.subn(pat, lambda m: m.group(1) + html.escape(value)
                         + m.group(2), xml, count=1)
        if n != 1:
            raise ValueError("tamper: no %s in the response" % name)
    return xml


def assertion_span(xml):
    """(start, end) of the first Assertion element in the text."""
    m = re.search(r"<(\w+:)?Assertion\b", xml)
    if m is None:
        raise ValueError("wrap: no assertion (encrypted?)")
    end_tag = "</%sAssertion>" % (m.group(1) or "")
    end = xml.index(end_tag, m.start()) + len(end_tag)
    return m.start(), end


def wrap(st, xml, sp, acs_url, req_id, now, knobs):
    """A signature wrapping attack: a forged assertion first. It is cut
    from a Response of its own, so that it uses the namespace prefixes
    the real Response declares on its root."""
    w = dict(knobs["wrap"])
    mode = w.pop("mode", "sibling")
    if mode not in ("sibling", "advice"):
        raise ValueError("wrap: unknown mode %s" % mode)
    forged_user = dict(w, name_id=w.get("name_id", "attacker"))
    forged = make_assertion(st, forged_user, sp, acs_url, req_id, now,
                            dict(knobs, expired=False))
    if mode == "advice":
        forged.advice = saml.Advice()
    doc = samlp.Response(id=sid(), version="2.0",
                         assertion=forged).to_string().decode()
    fs, fe = assertion_span(doc)
    forged_text = doc[fs:fe]
    start, end = assertion_span(xml)
    signed = xml[start:end]
    if mode == "sibling":
        return xml[:start] + forged_text + signed + xml[end:]
    forged_text = re.sub(
        r"<(\w+:)?Advice\s*/>", lambda m: "<%sAdvice>%s</%sAdvice>" % (
            m.group(1) or "", signed, m.group(1) or ""), forged_text,
        count=1)
    return xml[:start] + forged_text + xml[end:]


def post_form(acs_url, saml_response, relay_state):
    """The page that posts the Response to the SP's ACS."""
    rs = ""
    if relay_state:
        rs = ('<input type="hidden" name="RelayState" value="%s">'
              % html.escape(relay_state))
    return ("""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Signing in</title></head>
<body onload="document.getElementById('saml-post').submit()">
<form id="saml-post" method="post" action="%s">
<input type="hidden" name="SAMLResponse" value="%s">%s
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>
""" % (html.escape(acs_url), html.escape(saml_response), rs))


REDIRECT_SIG_HASHES = {
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": hashes.SHA256,
}


def redirect_signature_ok(raw_query, cert_b64):
    """Check an HTTP-Redirect binding signature (SAML bindings 3.4.4.1)
    over the query exactly as sent: SAMLRequest, RelayState, SigAlg as
    they were encoded, in that order."""
    raw = {}
    for part in raw_query.split("&"):
        name = part.split("=", 1)[0]
        raw.setdefault(name, part)
    if "Signature" not in raw or "SigAlg" not in raw:
        return False
    alg = urllib.parse.unquote_plus(raw["SigAlg"].split("=", 1)[1])
    if alg not in REDIRECT_SIG_HASHES:
        return False
    signed = "&".join(raw[k] for k in ("SAMLRequest", "RelayState",
                                       "SigAlg") if k in raw)
    sig = base64.b64decode(urllib.parse.unquote_plus(
        raw["Signature"].split("=", 1)[1]))
    key = x509.load_der_x509_certificate(
        base64.b64decode(pem_body(cert_b64))).public_key()
    h = REDIRECT_SIG_HASHES[alg]()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(sig, signed.encode(), ec.ECDSA(h))
        else:
            key.verify(sig, signed.encode(), padding.PKCS1v15(), h)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def inflate(b64):
    data = base64.b64decode(b64)
    try:
        return zlib.decompress(data, -15).decode()
    except zlib.error:
        return data.decode()


class SamlHandler(httpbase.Handler):

    def routes(self):
        return {
            ("GET", "/metadata"): ("metadata", self.metadata),
            ("GET", "/sso"): ("sso", self.sso),
            ("POST", "/sso"): ("sso", self.sso),
            ("GET", "/idp-init"): ("sso", self.idp_init),
            ("POST", "/idp-init"): ("sso", self.idp_init),
            ("GET", "/slo"): ("slo", self.slo),
        }

    def admin(self, method, path, body):
        st = self.state
        if path == "/test/sps" and method == "POST":
            return 200, [st.add_sp(sp) for sp in
                         (body if isinstance(body, list) else [body])]
        if path == "/test/last" and method == "GET":
            return 200, st.last
        return None

    def metadata(self):
        self.send(200, self.state.metadata(), "application/samlmetadata+xml")

    def session_user(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                return self.state.users.get(self.state.sessions.get(value))
        return None

    def sign_in(self, p, hint=None, force=False):
        """(user, cookie headers), or (None, None) after a login page or
        a refusal was sent, or ("cancel", None)."""
        st = self.state
        if p.get("cancel") or st.knobs["deny"]:
            return "cancel", None
        if "username" in p:
            user = st.find_user(p["username"])
            if user is None:
                self.login_page(p, "Unknown user")
                return None, None
        else:
            user = ((not force and self.session_user()) or
                    st.find_user(st.knobs["auto_login"]) or
                    (st.knobs["login_hint"] and
                     (st.find_user(p.get("login_hint")) or
                      st.find_user(hint))))
        if user is None:
            self.login_page(p)
            return None, None
        cookie = {}
        if self.session_user() is not user:
            s = secrets.token_urlsafe(16)
            st.sessions[s] = user["name_id"]
            # Lax: the IdP is plain HTTP, and Chromium drops a
            # SameSite=None cookie that is not Secure.
            cookie = {"Set-Cookie": "%s=%s; Path=/; HttpOnly; SameSite=Lax"
                      % (COOKIE, s)}
        with st.lock:
            st.logins += 1
        return user, cookie

    def login_page(self, p, message=None):
        hidden = {k: v for k, v in p.items()
                  if k not in ("username", "password", "cancel")}
        self.html(200, httpbase.login_page("Test SAML IdP", self.path_only,
                                           hidden, message))

    def parse_authn_request(self, p):
        """The AuthnRequest of a redirect or POST binding, logged."""
        st = self.state
        binding = (BINDING_HTTP_REDIRECT if p.get("binding", "redirect" if
                   self.command == "GET" else "post") == "redirect"
                   else BINDING_HTTP_POST)
        req = st.servers["primary"].parse_authn_request(p["SAMLRequest"],
                                                        binding)
        msg = req.message
        issuer = msg.issuer.text if msg.issuer is not None else None
        sp = st.sps.get(issuer)
        valid = None
        if "Signature" in p and sp and sp.get("signing_cert"):
            valid = redirect_signature_ok(
                urllib.parse.urlsplit(self.path).query, sp["signing_cert"])
        subject = None
        if msg.subject is not None and msg.subject.name_id is not None:
            subject = msg.subject.name_id.text
        st.record({"endpoint": "sso", "binding": binding, "id": msg.id,
                   "issuer": issuer,
                   "acs_url": msg.assertion_consumer_service_url,
                   "force_authn": msg.force_authn == "true",
                   "signed": "Signature" in p, "sig_alg": p.get("SigAlg"),
                   "signature_valid": valid,
                   "xml": inflate(p["SAMLRequest"]) if binding ==
                   BINDING_HTTP_REDIRECT else base64.b64decode(
                       p["SAMLRequest"]).decode()})
        return msg, issuer, subject

    def sso(self):
        st = self.state
        p = self.params()
        if "SAMLRequest" not in p:
            return self.html(400, '<p id="error">no SAMLRequest</p>')
        if "binding" not in p:
            p["binding"] = "redirect" if self.command == "GET" else "post"
        msg, issuer, subject = self.parse_authn_request(p)
        sp = st.sps.get(issuer)
        acs_url = (sp or {}).get("acs_url") or \
            msg.assertion_consumer_service_url
        if not acs_url:
            return self.html(400, '<p id="error">unknown SP %s and no '
                             'AssertionConsumerServiceURL</p>'
                             % html.escape(issuer or ""))
        if sp is None:
            sp = {"entity_id": issuer, "acs_url": acs_url}
        if msg.assertion_consumer_service_url not in (None, acs_url):
            return self.html(400, '<p id="error">AssertionConsumerService'
                             'URL %s is not registered for %s</p>'
                             % (html.escape(
                                 msg.assertion_consumer_service_url),
                                html.escape(issuer or "")))
        user, cookie = self.sign_in(p, hint=subject,
                                    force=msg.force_authn == "true")
        if user is None:
            return None
        return self.answer(user, cookie, sp, acs_url, msg.id,
                           p.get("RelayState"))

    def idp_init(self):
        st = self.state
        p = self.params()
        sp = st.sps.get(p.get("sp", ""))
        if sp is None or not sp.get("acs_url"):
            return self.html(400, '<p id="error">unknown SP</p>')
        user, cookie = self.sign_in(p, hint=p.get("user"))
        if user is None:
            return None
        return self.answer(user, cookie, sp, sp["acs_url"], None,
                           p.get("relay_state"))

    def answer(self, user, cookie, sp, acs_url, req_id, relay_state):
        st = self.state
        if st.knobs["replay"] and st.last:
            last = st.last
            return self.html(200, post_form(last["acs_url"],
                                            last["saml_response"],
                                            last["relay_state"]), cookie)
        if user == "cancel":
            status = samlp.Status(
                status_code=samlp.StatusCode(
                    value=samlp.STATUS_RESPONDER,
                    status_code=samlp.StatusCode(
                        value=samlp.STATUS_AUTHN_FAILED)),
                status_message=samlp.StatusMessage(
                    text="the user cancelled the sign-in"))
            xml = build_response(st, None, sp, acs_url, req_id, status)
        else:
            xml = build_response(st, user, sp, acs_url, req_id)
        b64 = base64.b64encode(xml.encode()).decode()
        st.last = {"xml": xml, "saml_response": b64,
                   "relay_state": relay_state, "acs_url": acs_url}
        return self.html(200, post_form(acs_url, b64, relay_state), cookie)

    def slo(self):
        st = self.state
        p = self.params()
        if "SAMLRequest" not in p:
            return self.html(400, '<p id="error">no SAMLRequest</p>')
        xml = inflate(p["SAMLRequest"])
        req = samlp.logout_request_from_string(xml)
        issuer = req.issuer.text if req.issuer is not None else None
        name_id = req.name_id.text if req.name_id is not None else None
        st.record({"endpoint": "slo", "id": req.id, "issuer": issuer,
                   "name_id": name_id, "signed": "Signature" in p,
                   "sig_alg": p.get("SigAlg"), "xml": xml})
        ended = [s for s, n in st.sessions.items() if n == name_id]
        for s in ended:
            st.sessions.pop(s, None)
        clear = {"Set-Cookie": "%s=; Path=/; Max-Age=0" % COOKIE}
        sp = st.sps.get(issuer) or {}
        if not sp.get("slo_url"):
            return self.html(200, '<p id="signed-out">Signed out</p>',
                             clear)
        server = st.servers[st.knobs["key"]]
        resp = samlp.LogoutResponse(
            id=sid(), version="2.0", issue_instant=instant(),
            destination=sp["slo_url"], in_response_to=req.id,
            issuer=saml.Issuer(text=st.entity_id,
                               format=saml.NAMEID_FORMAT_ENTITY),
            status=success_status_factory())
        info = http_redirect_message(
            str(resp), sp["slo_url"], p.get("RelayState", ""),
            "SAMLResponse", sigalg=SIG_RSA_SHA256, sign=True,
            backend=server.sec.sec_backend)
        loc = dict(info["headers"])["Location"]
        return self.redirect(loc, headers=clear)


def main(argv):
    config = httpbase.read_config(argv, "SAML_IDP_CONFIG")
    with tempfile.TemporaryDirectory(prefix="saml-idp-") as tmp:
        SamlHandler.state = SamlState(config, tmp)
        httpbase.main(SamlHandler, config.get("port", 0),
                      ready=lambda port: SamlHandler.state.setup(
                          "http://127.0.0.1:%d" % port))


if __name__ == "__main__":
    main(sys.argv)
