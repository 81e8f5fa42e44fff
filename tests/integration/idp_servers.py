"""Real identity providers on loopback for the federation tests, and their
pytest fixtures. A test file imports the fixtures it uses, with the
session fixture each stands on (pytest looks fixtures up by name in the
test module):

    from idp_servers import (  # noqa: F401 (fixtures)
        facebook_idp, facebook_idp_server, oidc_idp, oidc_idp_server,
        saml_idp, saml_idp_server)

Each server is its own process (tests/integration/idps/), started once per
pytest session (per xdist worker) on a free loopback port it picks itself,
stopped at the end; every test gets it with its knobs reset before and
after (users and clients stay: make unique ones). Everything is driven over
HTTP through the server's /test/ admin endpoints, so a benchmark can start
the same scripts by hand (each prints its port on stdout when ready).

oidc_idp -- OidcIdp: tests/integration/idps/oidc_provider.js (the npm
  package oidc-provider; the generic OIDC provider, and the Google
  stand-in). Attributes: issuer (= base_url, http://127.0.0.1:<port>),
  discovery_url, authorize_url, token_url, userinfo_url, jwks_url.
  add_client(redirect_uris, client_id=None, client_secret=None,
      token_endpoint_auth_method="client_secret_post", **meta)
      -> (client_id, client_secret), random ones when not given.
  add_user(sub=None, **claims) -> the user's claims (a random sub, and
      username = sub, unless given); set_user(sub, **claims) merges into a
      user between sign-ins (None removes a claim); google_user(...) adds a
      user with Google's claims; users(); delete_user(sub).
  set(**knobs): auto_login, login_hint, deny, require_pkce, id_token
      ({"key": "second"|"second_same_kid"|"none"|"hs256"|"hs256_secret",
      "claims": {...}, "exp_in": s}), publish_second_key, delay_ms, fail
      (see the top of oidc_provider.js); knobs(); reset(); log(endpoint).
  oidc_details(client_id, client_secret, scopes) -> ProviderDetails of an
      OIDC provider; google_details(...) -> ProviderDetails of the Google
      preset with every endpoint pointed here.
  make_oidc_idp(**config) (function fixture) starts another one.

facebook_idp -- FacebookIdp: tests/integration/idps/facebook.py, the
  Facebook stand-in (Graph API v17.0 paths; any version works).
  Attributes: base_url, authorize_url (/v17.0/dialog/oauth), token_url
  (/v17.0/oauth/access_token), me_url (/v17.0/me).
  add_client(redirect_uris, client_id=None, client_secret=None)
      -> (client_id, client_secret); add_user(id=None, email=None,
      first_name="Test", last_name="User", **fields) -> the user (a random
      numeric id); set_user(id, **fields); users(); delete_user(id).
  set(**knobs): auto_login, login_hint, deny, delay_ms, fail (endpoints
      authorize, token, me); knobs(); reset(); log(endpoint).
  details(client_id, client_secret, scopes) -> ProviderDetails of the
      Facebook preset with every endpoint pointed here (attributes_url
      ends in "?fields=", as Cognito's does).
  make_facebook_idp(**config) (function fixture) starts another one.

apple_idp -- AppleIdp: tests/integration/idps/apple.py, the Sign in with
  Apple stand-in (authorize with form_post, a token endpoint that verifies
  the ES256 client-secret JWT, RS256 ID tokens, JWKS). Attributes:
  base_url (= the issuer), authorize_url, token_url, jwks_url.
  add_client(redirect_uris) -> {"client_id", "team_id", "key_id",
      "private_key"}: a Services ID whose EC P-256 key the test made (the
      server keeps only its public half); add_user(sub=None, email=None,
      firstName="Test", lastName="User"); set(**knobs): auto_login, deny,
      delay_ms, fail; reset(); log(endpoint) (token entries say
      secret_ok and why). details(client, scopes) -> ProviderDetails of
      the SignInWithApple preset with every endpoint pointed here.

amazon_idp -- AmazonIdp: tests/integration/idps/amazon.py, the Login with
  Amazon stand-in (/ap/oa, /auth/o2/token, /user/profile). add_client,
  add_user(user_id=None, email=None, name="Test User"), set, reset, log,
  details(client_id, client_secret, scopes="profile") as the others.

saml_idp -- SamlIdp: tests/integration/idps/saml_idp.py (pysaml2 and
  xmlsec1 sign; keys made by openssl at start-up). Attributes: base_url,
  entity_id = metadata_url (/metadata), sso_url (/sso), slo_url (/slo).
  add_sp(pool_id=..., domain_url=...) registers a pool as SP (entity id
  urn:amazon:cognito:sp:<pool_id>, ACS <domain_url>/saml2/idpresponse,
  SLO <domain_url>/saml2/logout); or add_sp(entity_id, acs_url, slo_url,
  cert) or add_sp(metadata_url=...) (encryption cert taken from there).
  An unregistered SP's AuthnRequest is answered at its
  AssertionConsumerServiceURL. add_user(name_id=None, email=None,
      **attributes) -> the user (SAML attribute names as given, e.g.
      "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress");
      set_user(name_id, **attributes); users(); delete_user(name_id).
  set(**knobs): sign_assertion, sign_response (both False: unsigned),
      key="second" (signed with another key), metadata_certs, encrypt,
      expired, not_yet_valid, time_shift_s, audience, recipient,
      destination, in_response_to, issuer, tamper ({attribute: value}
      after signing), wrap ({"mode": "sibling"|"advice", "name_id": ...}),
      replay, auto_login, login_hint, deny, delay_ms, fail (see the top
      of saml_idp.py); knobs(); reset().
  log(endpoint) -> the AuthnRequests ("sso": id, issuer, acs_url,
      signed, sig_alg, signature_valid, xml) and LogoutRequests ("slo");
      last() -> the last Response (xml, saml_response, relay_state).
  idp_init_url(sp_entity_id, relay_state=None, user=None): IdP-initiated.
  metadata(); details(by_url=True, **extra) -> ProviderDetails of a SAML
      provider (MetadataURL or MetadataFile; booleans as "true"/"false").
  make_saml_idp(**config) (function fixture) starts another one.

unreachable_url(path) is an IdP that is down; an IdP that is slow is
set(delay_ms={endpoint: ms}), one that fails set(fail={endpoint: status}).

Browser is a scripted browser (a cookie jar, one hop at a time or up to a
URL), for flows without Chromium: oidc_idp's login_hint or auto_login knob
signs a user in without a page.
"""
import html.parser
import http.client
import http.cookiejar
import json
import os
import secrets
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
IDPS = os.path.join(HERE, "idps")
# Node.js loads oidc-provider in seconds, but a loaded 2-core machine
# running the sanitizer suite beside it took more than 30 s once.
START_TIMEOUT = 90


def _read_port(proc, timeout, log_path):
    """The port a server prints on its first line of stdout."""
    end = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = end - time.monotonic()
        ready = select.select([proc.stdout], [], [], max(left, 0))[0]
        if not ready or proc.poll() is not None:
            proc.kill()
            with open(log_path, errors="replace") as f:
                raise RuntimeError("%s did not start:\n%s"
                                   % (proc.args, f.read()[-3000:]))
        c = os.read(proc.stdout.fileno(), 1)
        if not c:
            continue
        line += c
    return int(line)


class IdpProcess:
    """One server script in a process: started with its config as its
    argument, its stderr in a log file, its stdin a pipe whose end stops
    it if pytest dies."""

    def __init__(self, argv, name, env=None):
        fd, self.log_path = tempfile.mkstemp(prefix="idp-%s-" % name,
                                             suffix=".log")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=fd,
                                     env=env, cwd=IDPS)
        os.close(fd)
        self.port = _read_port(self.proc, START_TIMEOUT, self.log_path)
        self.base_url = "http://127.0.0.1:%d" % self.port

    def log_tail(self, chars=3000):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-chars:]

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.unlink(self.log_path)

    def call(self, method, path, body=None):
        """An admin call; its JSON answer (an error for a non-2xx)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        data = None if body is None else json.dumps(body)
        headers = {} if data is None else {"content-type":
                                           "application/json"}
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            text = r.read().decode()
        finally:
            conn.close()
        if r.status // 100 != 2:
            raise RuntimeError("%s %s: %d %s" % (method, path, r.status,
                                                  text))
        return json.loads(text) if text else None


class _IdpClient:
    """Client of a running server script (an IdpProcess) through the
    /test/ admin endpoints every one of them answers."""

    def __init__(self, argv, name):
        self.process = IdpProcess(argv, name)
        self.base_url = self.process.base_url

    def stop(self):
        self.process.stop()

    def users(self):
        return self.process.call("GET", "/test/users")

    def delete_user(self, key):
        return self.process.call(
            "DELETE", "/test/users/" + urllib.parse.quote(key, safe=""))

    def set(self, **knobs):
        return self.process.call("POST", "/test/knobs", knobs)

    def knobs(self):
        return self.process.call("GET", "/test/knobs")

    def reset(self):
        self.process.call("POST", "/test/reset", {})

    def log(self, endpoint=None):
        """What clients sent (see the script), of one endpoint or all."""
        return [e for e in self.process.call("GET", "/test/log")
                if endpoint is None or e["endpoint"] == endpoint]


class OidcIdp(_IdpClient):
    """Client of a running oidc_provider.js (see the module docstring)."""

    def __init__(self, node, config=None):
        super().__init__([node, os.path.join(IDPS, "oidc_provider.js"),
                          json.dumps(config or {})], "oidc")
        self.issuer = self.base_url
        self.discovery_url = self.issuer + "/.well-known/openid-configuration"
        self.authorize_url = self.issuer + "/auth"
        self.token_url = self.issuer + "/token"
        self.userinfo_url = self.issuer + "/me"
        self.jwks_url = self.issuer + "/jwks"

    def add_client(self, redirect_uris, client_id=None, client_secret=None,
                   token_endpoint_auth_method="client_secret_post", **meta):
        client_id = client_id or "client-" + secrets.token_hex(6)
        if client_secret is None and token_endpoint_auth_method != "none":
            client_secret = secrets.token_urlsafe(24)
        c = dict(meta, client_id=client_id, redirect_uris=list(redirect_uris),
                 token_endpoint_auth_method=token_endpoint_auth_method)
        if client_secret is not None:
            c["client_secret"] = client_secret
        self.process.call("POST", "/test/clients", c)
        return client_id, client_secret

    def add_user(self, sub=None, **claims):
        u = dict(claims, sub=sub or "user-" + secrets.token_hex(6))
        u.setdefault("username", u["sub"])
        return self.process.call("POST", "/test/users", u)[0]

    def set_user(self, sub, **claims):
        return self.process.call("POST", "/test/users",
                                 dict(claims, sub=sub))[0]

    def google_user(self, sub=None, email=None, given_name="Test",
                    family_name="User", **claims):
        """A user with the claims Google gives (a numeric sub)."""
        sub = sub or str(100000000000000000000 + secrets.randbelow(10**20))
        email = email or "g%s@gmail.example" % secrets.token_hex(4)
        return self.add_user(
            sub, email=email, email_verified=True,
            name="%s %s" % (given_name, family_name), given_name=given_name,
            family_name=family_name,
            picture="https://lh3.googleusercontent.example/a/%s" % sub,
            **claims)

    def oidc_details(self, client_id, client_secret,
                     scopes="openid email profile", method="GET"):
        """ProviderDetails for CreateIdentityProvider ProviderType OIDC."""
        return {"client_id": client_id, "client_secret": client_secret,
                "authorize_scopes": scopes, "oidc_issuer": self.issuer,
                "attributes_request_method": method}

    def google_details(self, client_id, client_secret,
                       scopes="profile email openid"):
        """ProviderDetails for ProviderType Google, every endpoint here."""
        return {"client_id": client_id, "client_secret": client_secret,
                "authorize_scopes": scopes, "oidc_issuer": self.issuer,
                "authorize_url": self.authorize_url,
                "token_url": self.token_url,
                "attributes_url": self.userinfo_url}


def _reset_around(server, doc):
    """A test's fixture: the session's server fixture of that name, its
    knobs reset before and after the test."""
    @pytest.fixture
    def fixture(request):
        idp = request.getfixturevalue(server)
        idp.reset()
        yield idp
        idp.reset()

    fixture.__doc__ = doc
    return fixture


def _starter(new, doc):
    """A test's fixture that starts more servers: make(**config) ->
    new(config) (a client of a new server), stopped after the test."""
    @pytest.fixture
    def fixture():
        started = []

        def make(**config):
            idp = new(config)
            started.append(idp)
            return idp

        yield make
        for idp in started:
            idp.stop()

    fixture.__doc__ = doc
    return fixture


def _node():
    from test_npm_clients import node_with_clients
    return node_with_clients()


@pytest.fixture(scope="session")
def oidc_idp_server():
    """The session's oidc_provider.js (use oidc_idp in tests)."""
    idp = OidcIdp(_node())
    yield idp
    idp.stop()


oidc_idp = _reset_around(
    "oidc_idp_server",
    """The OIDC provider, knobs reset before and after the test.""")
make_oidc_idp = _starter(
    lambda config: OidcIdp(_node(), config),
    """Start more OIDC providers: make_oidc_idp(**config) -> OidcIdp
    (config as oidc_provider.js takes it); stopped after the test.""")


class FacebookIdp(_IdpClient):
    """Client of a running idps/facebook.py (see the module docstring)."""

    API_VERSION = "v17.0"

    def __init__(self, config=None):
        super().__init__([sys.executable, os.path.join(IDPS, "facebook.py"),
                          json.dumps(config or {})], "facebook")
        v = self.API_VERSION
        self.authorize_url = "%s/%s/dialog/oauth" % (self.base_url, v)
        self.token_url = "%s/%s/oauth/access_token" % (self.base_url, v)
        self.me_url = "%s/%s/me" % (self.base_url, v)

    def add_client(self, redirect_uris, client_id=None, client_secret=None):
        client_id = client_id or str(10**15 + secrets.randbelow(10**15))
        client_secret = client_secret or secrets.token_hex(16)
        self.process.call("POST", "/test/clients", {
            "client_id": client_id, "client_secret": client_secret,
            "redirect_uris": list(redirect_uris)})
        return client_id, client_secret

    def add_user(self, id=None, email=None, first_name="Test",
                 last_name="User", **fields):
        """A user with Facebook's fields (a numeric app-scoped id)."""
        uid = id or str(10**16 + secrets.randbelow(10**16))
        u = dict(fields, id=uid, first_name=first_name, last_name=last_name,
                 name="%s %s" % (first_name, last_name),
                 email=email or "fb%s@example.com" % secrets.token_hex(4))
        return self.process.call("POST", "/test/users", u)[0]

    def set_user(self, id, **fields):
        return self.process.call("POST", "/test/users",
                                 dict(fields, id=id))[0]

    def details(self, client_id, client_secret, scopes="public_profile,email"):
        """ProviderDetails for ProviderType Facebook, endpoints here."""
        return {"client_id": client_id, "client_secret": client_secret,
                "authorize_scopes": scopes, "api_version": self.API_VERSION,
                "authorize_url": self.authorize_url,
                "token_url": self.token_url,
                "attributes_url": self.me_url + "?fields="}


@pytest.fixture(scope="session")
def facebook_idp_server():
    """The session's facebook.py (use facebook_idp in tests)."""
    idp = FacebookIdp()
    yield idp
    idp.stop()


facebook_idp = _reset_around(
    "facebook_idp_server",
    """The Facebook stand-in, knobs reset before and after the test.""")
make_facebook_idp = _starter(
    FacebookIdp,
    """Start more Facebook stand-ins: make_facebook_idp(**config).""")


class SamlIdp(_IdpClient):
    """Client of a running idps/saml_idp.py (see the module docstring)."""

    def __init__(self, config=None):
        super().__init__([sys.executable, os.path.join(IDPS, "saml_idp.py"),
                          json.dumps(config or {})], "saml")
        self.metadata_url = self.entity_id = self.base_url + "/metadata"
        self.sso_url = self.base_url + "/sso"
        self.slo_url = self.base_url + "/slo"

    def metadata(self):
        """The metadata XML, as MetadataFile takes it."""
        _, _, body = Browser().get(self.metadata_url)
        return body

    def add_sp(self, entity_id=None, acs_url=None, slo_url=None, cert=None,
               metadata_url=None, pool_id=None, domain_url=None):
        """Register an SP: by entity_id and acs_url (and slo_url, cert
        PEM for encryption), by its metadata_url, or as a pool: pool_id
        and domain_url (https://<host>/<prefix-or-domain>) give entity id
        urn:amazon:cognito:sp:<pool_id>, ACS <domain_url>/saml2/idpresponse
        and SLO <domain_url>/saml2/logout. The SP as the IdP sees it."""
        sp = {}
        if pool_id:
            sp["entity_id"] = "urn:amazon:cognito:sp:" + pool_id
        if domain_url:
            sp["acs_url"] = domain_url.rstrip("/") + "/saml2/idpresponse"
            sp["slo_url"] = domain_url.rstrip("/") + "/saml2/logout"
        for k, v in (("entity_id", entity_id), ("acs_url", acs_url),
                     ("slo_url", slo_url), ("cert", cert),
                     ("metadata_url", metadata_url)):
            if v is not None:
                sp[k] = v
        return self.process.call("POST", "/test/sps", sp)[0]

    def add_user(self, name_id=None, email=None, **attributes):
        """A user: its NameID, and SAML attributes by name (an email
        attribute unless email=False)."""
        name_id = name_id or "saml-" + secrets.token_hex(6)
        u = dict(attributes, name_id=name_id)
        if email is not False:
            u["email"] = email or "%s@example.com" % name_id
        return self.process.call("POST", "/test/users", u)[0]

    def set_user(self, name_id, **attributes):
        return self.process.call("POST", "/test/users",
                                 dict(attributes, name_id=name_id))[0]

    def last(self):
        """The last Response: {xml, saml_response, relay_state, acs_url}."""
        return self.process.call("GET", "/test/last")

    def idp_init_url(self, sp_entity_id, relay_state=None, user=None):
        q = {"sp": sp_entity_id}
        if relay_state is not None:
            q["relay_state"] = relay_state
        if user is not None:
            q["user"] = user
        return self.base_url + "/idp-init?" + urllib.parse.urlencode(q)

    def details(self, by_url=True, **extra):
        """ProviderDetails for ProviderType SAML: MetadataURL (or the
        MetadataFile), plus extra keys (IDPSignout, IDPInit, ...)."""
        d = ({"MetadataURL": self.metadata_url} if by_url
             else {"MetadataFile": self.metadata()})
        d.update({k: str(v).lower() if isinstance(v, bool) else v
                  for k, v in extra.items()})
        return d


@pytest.fixture(scope="session")
def saml_idp_server():
    """The session's saml_idp.py (use saml_idp in tests)."""
    try:
        import saml2  # noqa: F401
    except ImportError:
        pytest.skip("pysaml2 is not installed (Debian's python3-pysaml2)")
    idp = SamlIdp()
    yield idp
    idp.stop()


saml_idp = _reset_around(
    "saml_idp_server",
    """The SAML IdP, knobs reset before and after the test.""")
make_saml_idp = _starter(
    SamlIdp, """Start more SAML IdPs: make_saml_idp(**config) -> SamlIdp.""")


class _StandIn(_IdpClient):
    """Client of a running idps/<script>.py with httpbase's admin API."""

    script = None

    def __init__(self, config=None):
        super().__init__([sys.executable, os.path.join(
            IDPS, self.script + ".py"), json.dumps(config or {})],
            self.script)


class AppleIdp(_StandIn):
    """Client of a running idps/apple.py (see the module docstring)."""

    script = "apple"

    def __init__(self, config=None):
        super().__init__(config)
        self.issuer = self.base_url
        self.authorize_url = self.base_url + "/auth/authorize"
        self.token_url = self.base_url + "/auth/token"
        self.jwks_url = self.base_url + "/auth/keys"

    def add_client(self, redirect_uris):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        key = ec.generate_private_key(ec.SECP256R1())
        c = {"client_id": "com.example.%s" % secrets.token_hex(4),
             "team_id": secrets.token_hex(5).upper(),
             "key_id": secrets.token_hex(5).upper(),
             "redirect_uris": list(redirect_uris)}
        self.process.call("POST", "/test/clients", dict(
            c, public_key=key.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo).decode()))
        c["private_key"] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()
        return c

    def add_user(self, sub=None, email=None, firstName="Test",
                 lastName="User", **fields):
        sub = sub or "%06d.%s.%04d" % (secrets.randbelow(10**6),
                                        secrets.token_hex(16),
                                        secrets.randbelow(10**4))
        u = dict(fields, sub=sub, firstName=firstName, lastName=lastName,
                 email=email or "%s@privaterelay.appleid.com"
                 % secrets.token_hex(5))
        return self.process.call("POST", "/test/users", u)[0]

    def details(self, client, scopes="email name"):
        """ProviderDetails for ProviderType SignInWithApple, here."""
        d = {k: client[k] for k in ("client_id", "team_id", "key_id",
                                    "private_key")}
        d.update(authorize_url=self.authorize_url, token_url=self.token_url,
                 oidc_issuer=self.issuer, jwks_uri=self.jwks_url)
        if scopes:
            d["authorize_scopes"] = scopes
        return d


class AmazonIdp(_StandIn):
    """Client of a running idps/amazon.py (see the module docstring)."""

    script = "amazon"

    def __init__(self, config=None):
        super().__init__(config)
        self.authorize_url = self.base_url + "/ap/oa"
        self.token_url = self.base_url + "/auth/o2/token"
        self.profile_url = self.base_url + "/user/profile"

    def add_client(self, redirect_uris):
        cid = "amzn1.application-oa2-client." + secrets.token_hex(16)
        secret = secrets.token_hex(32)
        self.process.call("POST", "/test/clients", {
            "client_id": cid, "client_secret": secret,
            "redirect_uris": list(redirect_uris)})
        return cid, secret

    def add_user(self, user_id=None, email=None, name="Test User",
                 **fields):
        u = dict(fields, user_id=user_id or "amzn1.account." +
                 secrets.token_hex(14).upper(), name=name,
                 email=email or "%s@example.com" % secrets.token_hex(4))
        return self.process.call("POST", "/test/users", u)[0]

    def details(self, client_id, client_secret, scopes="profile"):
        return {"client_id": client_id, "client_secret": client_secret,
                "authorize_scopes": scopes,
                "authorize_url": self.authorize_url,
                "token_url": self.token_url,
                "attributes_url": self.profile_url}


def _stand_in_fixtures(cls):
    @pytest.fixture(scope="session")
    def server_fixture():
        idp = cls()
        yield idp
        idp.stop()

    return server_fixture


apple_idp_server = _stand_in_fixtures(AppleIdp)
amazon_idp_server = _stand_in_fixtures(AmazonIdp)


apple_idp = _reset_around(
    "apple_idp_server",
    """The Apple stand-in, knobs reset before and after the test.""")
amazon_idp = _reset_around(
    "amazon_idp_server",
    """The Login with Amazon stand-in, knobs reset around the test.""")


def unreachable_url(path=""):
    """http://127.0.0.1:<a port nobody listens on><path>: an identity
    provider that is down (connections are refused at once)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d%s" % (port, path)


class _FormParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""),
                               "method": (a.get("method") or "get").lower(),
                               "fields": {}})
        elif tag in ("input", "textarea") and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def html_forms(body, base_url=""):
    """The forms of an HTML page: [{"action" (absolute), "method",
    "fields": {name: value}}], e.g. a SAML auto-submitting form."""
    p = _FormParser()
    p.feed(body)
    for f in p.forms:
        f["action"] = urllib.parse.urljoin(base_url, f["action"])
    return p.forms


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A scripted browser: a cookie jar, no automatic redirects, HTML
    forms posted by hand. get/post return (status, headers, body text);
    follow() walks redirects until a URL that stop(url) accepts."""

    def __init__(self, ssl_context=None):
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar),
                    NoRedirect(), urllib.request.ProxyHandler({})]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, url, data=None, headers=None):
        if isinstance(data, dict):
            data = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.headers, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode(errors="replace")

    def get(self, url, headers=None):
        return self.request(url, headers=headers)

    def post(self, url, form, headers=None):
        return self.request(url, data=form, headers=headers)

    def follow(self, url, stop, limit=15):
        """GET url and its redirects; the first URL stop() accepts (not
        fetched), or the last response as (status, headers, body, url)."""
        for _ in range(limit):
            if stop(url):
                return url
            status, headers, body = self.get(url)
            loc = headers.get("Location")
            if status not in (301, 302, 303, 307) or not loc:
                return status, headers, body, url
            url = urllib.parse.urljoin(url, loc)
        raise RuntimeError("too many redirects from %s" % url)


if __name__ == "__main__":
    sys.exit("a module of fixtures; see its docstring")
