"""Identity providers of a pool through the JSON API (issue 11): each
operation (CreateIdentityProvider, DescribeIdentityProvider,
UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
GetIdentityProviderByIdentifier) once through the AWS CLI and the rest
through boto3; each provider type with its required details, Cognito's
preset endpoints and their overrides; OIDC discovery from a small HTTP
server this file starts on 127.0.0.1 (and its failures: an unreachable
port answered within the fetch timeout, a wrong issuer, an error
status); SAML metadata from a file or a URL; the https-only rule for
non-loopback URLs; duplicates, unknown providers and pools, paging; the
client secret sealed at rest; and an app client naming an unknown
provider in SupportedIdentityProviders."""
import http.server
import json
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import (PASSWORD, error_of, free_port, make_client,
                      make_user, psql)

NOSUCH = "us-east-1_nosuch"
SECRET = "s3cret-of-the-idp"
SSO = "https://idp.example/sso"
MD_TEMPLATE = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:'
    'tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
    'entityID="https://idp.example/"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '%s<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:'
    'bindings:HTTP-Redirect" Location="' + SSO + '"/>'
    '</md:IDPSSODescriptor></md:EntityDescriptor>')


def _metadata():
    """IdP metadata with a signing certificate made by openssl now."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-subj", "/CN=idp.example", "-days", "2",
                        "-keyout", d + "/k.pem", "-out", d + "/c.pem"],
                       check=True, capture_output=True)
        with open(d + "/c.pem") as f:
            pem = f.read()
    b64 = "".join(pem.strip().splitlines()[1:-1])
    return MD_TEMPLATE % (
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        '<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>'
        '</ds:KeyInfo></md:KeyDescriptor>' % b64)


METADATA = _metadata()
UNSIGNED = MD_TEMPLATE % ""


class Stand(http.server.BaseHTTPRequestHandler):
    """Answers from the server's routes: path -> (status, headers, body)."""

    def do_GET(self):
        self.server.hits.append(self.path)
        status, headers, body = self.server.routes.get(
            self.path, (404, {}, b"not here"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def stand():
    """A local HTTP server standing in for identity providers."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stand)
    srv.routes, srv.hits = {}, []
    srv.base = "http://127.0.0.1:%d" % srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def discovery(stand, name, issuer=None, status=200):
    """Serve a discovery document for issuer <base>/<name>."""
    iss = "%s/%s" % (stand.base, name)
    doc = {"issuer": issuer or iss,
           "authorization_endpoint": iss + "/authorize",
           "token_endpoint": iss + "/token",
           "userinfo_endpoint": iss + "/userinfo",
           "jwks_uri": iss + "/jwks"}
    stand.routes["/%s/.well-known/openid-configuration" % name] = (
        status, {"Content-Type": "application/json",
                 "Cache-Control": "max-age=300"},
        json.dumps(doc).encode())
    return iss


def oidc_details(issuer, **kw):
    d = {"client_id": "app-id", "client_secret": SECRET,
         "authorize_scopes": "openid email", "oidc_issuer": issuer,
         "attributes_request_method": "GET"}
    d.update(kw)
    return d


def social_details(**kw):
    d = {"client_id": "app-id", "client_secret": SECRET,
         "authorize_scopes": "openid email profile"}
    d.update(kw)
    return d


def create(idp, pool_id, name, ptype, details, **kw):
    return idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName=name, ProviderType=ptype,
        ProviderDetails=details, **kw)["IdentityProvider"]


def describe(idp, pool_id, name):
    return idp.describe_identity_provider(
        UserPoolId=pool_id, ProviderName=name)["IdentityProvider"]


def refused(call, **kw):
    """(Code, Message) of a boto3 call that must fail."""
    with pytest.raises(Exception) as excinfo:
        call(**kw)
    return error_of(excinfo)


def create_error(idp, pool_id, name, ptype, details, **kw):
    return refused(idp.create_identity_provider, UserPoolId=pool_id,
                   ProviderName=name, ProviderType=ptype,
                   ProviderDetails=details, **kw)


# --- OIDC and discovery ---------------------------------------------------

def test_oidc_discovery_through_the_cli(server, pool, stand, idp):
    iss = discovery(stand, "good")
    out = server.aws(
        "create-identity-provider", "--user-pool-id", pool["Id"],
        "--provider-name", "Corp", "--provider-type", "OIDC",
        "--provider-details", json.dumps(oidc_details(iss)),
        "--attribute-mapping", json.dumps({"email": "email"}),
        "--idp-identifiers", "corp.example", "corp")["IdentityProvider"]
    d = out["ProviderDetails"]
    assert d["authorize_url"] == iss + "/authorize"
    assert d["token_url"] == iss + "/token"
    assert d["attributes_url"] == iss + "/userinfo"
    assert d["jwks_uri"] == iss + "/jwks"
    assert d["attributes_url_add_attributes"] == "false"
    assert d["client_secret"] == SECRET
    assert out["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert out["IdpIdentifiers"] == ["corp.example", "corp"]
    assert out["ProviderType"] == "OIDC"
    assert out["CreationDate"] == out["LastModifiedDate"]
    assert "/good/.well-known/openid-configuration" in stand.hits
    shown = server.aws("describe-identity-provider", "--user-pool-id",
                       pool["Id"], "--provider-name", "Corp")
    assert shown["IdentityProvider"] == out
    # The secret is sealed at rest: neither column holds it in clear.
    row = psql(server, "SELECT provider_details::text || secrets_sealed "
               "FROM identity_providers WHERE pool_id = '%s'" % pool["Id"])
    assert SECRET not in row and "client_secret" not in row


def test_oidc_endpoints_by_hand_need_no_discovery(pool, idp):
    dead = "http://127.0.0.1:%d" % free_port()
    out = create(idp, pool["Id"], "Manual", "OIDC", oidc_details(
        dead, authorize_url=dead + "/a", token_url=dead + "/t",
        jwks_uri=dead + "/k"))
    assert out["ProviderDetails"]["authorize_url"] == dead + "/a"
    assert "attributes_url" not in out["ProviderDetails"]


def test_discovery_unreachable_fails_within_timeout(pool, idp):
    dead = "http://127.0.0.1:%d/nobody" % free_port()
    t0 = time.monotonic()
    code, msg = create_error(idp, pool["Id"], "Gone", "OIDC",
                             oidc_details(dead))
    assert time.monotonic() - t0 < 6
    assert code == "InvalidParameterException"
    assert "discovery" in msg and dead in msg
    code, _ = refused(idp.describe_identity_provider, UserPoolId=pool["Id"],
                      ProviderName="Gone")
    assert code == "ResourceNotFoundException"


def test_discovery_silent_server_times_out(pool, idp):
    """A server that takes the connection and never answers: refused
    after the 5 s fetch limit, not the request's."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        iss = "http://127.0.0.1:%d/silent" % s.getsockname()[1]
        t0 = time.monotonic()
        code, msg = create_error(idp, pool["Id"], "Silent", "OIDC",
                                 oidc_details(iss))
        took = time.monotonic() - t0
    assert code == "InvalidParameterException"
    assert "no answer within 5 seconds" in msg
    assert 4.5 < took < 8, took
    assert idp.list_identity_providers(
        UserPoolId=pool["Id"])["Providers"] == []


def test_slow_idp_does_not_hold_up_sign_in(server, pool, idp):
    """Fetches waiting on a silent provider run on threads of their own:
    password sign-ins (scrypt on the crypto threads) go on meanwhile."""
    client = make_client(idp, pool["Id"])
    user = make_user(idp, pool["Id"])
    results = []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        iss = "http://127.0.0.1:%d/silent" % s.getsockname()[1]

        def slow(i):
            results.append(create_error(server.boto3(), pool["Id"],
                                        "Slow%d" % i, "OIDC",
                                        oidc_details(iss)))
        threads = [threading.Thread(target=slow, args=(i,))
                   for i in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.monotonic()
        out = idp.admin_initiate_auth(
            UserPoolId=pool["Id"], ClientId=client["ClientId"],
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})
        took = time.monotonic() - t0
        for t in threads:
            t.join()
    assert "AuthenticationResult" in out
    # On the crypto threads it waited for the fetches (4.5 s).
    assert took < 3.5, took
    assert [r[0] for r in results] == ["InvalidParameterException"] * 4


@pytest.mark.parametrize("case,text", [
    ("wrongiss", "issuer"), ("status", "HTTP status 500"),
    ("missing", "HTTP status 404"), ("redirect", "HTTP status 302"),
    ("huge", "larger than 1048576 bytes"), ("notjson", "not a JSON")])
def test_discovery_refusals(pool, stand, idp, case, text):
    wk = "/%s/.well-known/openid-configuration" % case
    if case == "wrongiss":
        iss = discovery(stand, "wrongiss", issuer="https://elsewhere.example")
    elif case == "status":
        iss = discovery(stand, "status", status=500)
    elif case == "redirect":
        # Redirects are not followed, even to a good document.
        good = discovery(stand, "good")
        iss = stand.base + "/redirect"
        stand.routes[wk] = (302, {"Location": good + wk[9:]}, b"")
    elif case == "huge":
        iss = stand.base + "/huge"
        stand.routes[wk] = (200, {}, b"{" + b" " * (2 << 20) + b"}")
    elif case == "notjson":
        iss = stand.base + "/notjson"
        stand.routes[wk] = (200, {}, b"<html></html>")
    else:
        iss = stand.base + "/missing"
    code, msg = create_error(idp, pool["Id"], "Bad", "OIDC",
                             oidc_details(iss))
    assert code == "InvalidParameterException"
    assert text in msg


def test_http_to_other_hosts_refused(pool, idp):
    code, msg = create_error(idp, pool["Id"], "Plain", "OIDC",
                             oidc_details("http://192.0.2.1/issuer"))
    assert code == "InvalidParameterException" and "https" in msg
    code, msg = create_error(idp, pool["Id"], "Google", "Google",
                             social_details(
                                 token_url="http://192.0.2.1/token"))
    assert code == "InvalidParameterException" and "https" in msg
    code, msg = create_error(idp, pool["Id"], "Meta", "SAML",
                             {"MetadataURL": "http://192.0.2.1/md"})
    assert code == "InvalidParameterException" and "https" in msg


# --- Social presets ------------------------------------------------------

def test_presets_filled_and_overridden(pool, stand, idp):
    g = create(idp, pool["Id"], "Google", "Google", social_details())
    d = g["ProviderDetails"]
    assert d["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert d["token_url"] == "https://www.googleapis.com/oauth2/v4/token"
    assert d["oidc_issuer"] == "https://accounts.google.com"
    assert d["attributes_url_add_attributes"] == "true"
    assert d["client_secret"] == SECRET
    assert g["AttributeMapping"] == {"username": "sub"}

    local = stand.base + "/fb"
    f = create(idp, pool["Id"], "Facebook", "Facebook", social_details(
        api_version="v19.0", token_url=local + "/token"))
    d = f["ProviderDetails"]
    assert d["api_version"] == "v19.0"
    assert d["authorize_url"] == "https://www.facebook.com/v19.0/dialog/oauth"
    assert d["attributes_url"] == "https://graph.facebook.com/v19.0/me?fields="
    assert d["token_url"] == local + "/token"
    assert f["AttributeMapping"] == {"username": "id"}

    a = create(idp, pool["Id"], "LoginWithAmazon", "LoginWithAmazon",
               social_details())
    assert a["ProviderDetails"]["authorize_url"] == \
        "https://www.amazon.com/ap/oa"
    assert a["AttributeMapping"] == {"username": "user_id"}

    apple = create(idp, pool["Id"], "SignInWithApple", "SignInWithApple", {
        "client_id": "com.example.app", "team_id": "TEAM123",
        "key_id": "KEY123", "private_key": "-----BEGIN PRIVATE KEY-----",
        "authorize_scopes": "email name"})
    d = apple["ProviderDetails"]
    assert d["oidc_issuer"] == "https://appleid.apple.com"
    assert "private_key" not in d and d["team_id"] == "TEAM123"


@pytest.mark.parametrize("name,ptype,details,text", [
    ("MyGoogle", "Google", social_details(), "cannot be of type Google"),
    ("Google", "Google", {"client_id": "x", "authorize_scopes": "openid"},
     "client_secret"),
    ("Corp", "OIDC", {"client_id": "x", "authorize_scopes": "openid",
                      "attributes_request_method": "GET"}, "oidc_issuer"),
    ("Corp", "OIDC", oidc_details("https://idp.example",
                                  attributes_request_method="PUT"),
     "attributes_request_method"),
    ("Corp", "OIDC", oidc_details("https://idp.example", shoe_size="9"),
     "shoe_size"),
    ("SignInWithApple", "SignInWithApple",
     {"client_id": "x", "team_id": "t", "key_id": "k",
      "authorize_scopes": "email"}, "private_key"),
    ("Meta", "SAML", {"IDPSignout": "true"}, "MetadataURL"),
    ("Meta", "SAML", {"MetadataFile": METADATA,
                      "MetadataURL": "https://idp.example/md"}, "both"),
    ("Meta", "SAML", {"MetadataFile": METADATA, "IDPInit": "maybe"},
     "IDPInit"),
])
def test_details_refused(pool, idp, name, ptype, details, text):
    code, msg = create_error(idp, pool["Id"], name, ptype, details)
    assert code == "InvalidParameterException"
    assert text in msg


# --- SAML ------------------------------------------------------------------

def test_saml_metadata_file_and_url(server, pool, stand, idp):
    f = create(idp, pool["Id"], "Okta", "SAML",
               {"MetadataFile": METADATA, "IDPSignout": "true"},
               AttributeMapping={"email": "mail"})
    assert f["ProviderDetails"]["MetadataFile"] == METADATA
    assert f["ProviderDetails"]["SSORedirectBindingURI"] == SSO
    assert f["AttributeMapping"] == {"email": "mail"}
    stand.routes["/md.xml"] = (200, {"Content-Type": "application/xml"},
                               METADATA.encode())
    u = create(idp, pool["Id"], "Entra", "SAML",
               {"MetadataURL": stand.base + "/md.xml"})
    assert u["ProviderDetails"] == {"MetadataURL": stand.base + "/md.xml",
                                    "SSORedirectBindingURI": SSO}
    stored = psql(server, "SELECT metadata FROM identity_providers WHERE "
                  "pool_id = '%s' AND provider_name = 'Entra'" % pool["Id"])
    assert "EntityDescriptor" in stored
    stand.routes["/junk.xml"] = (200, {}, b"<html>hello</html>")
    stand.routes["/unsigned.xml"] = (200, {}, UNSIGNED.encode())
    for path, text in (("/junk.xml", "Invalid SAML metadata"),
                       ("/unsigned.xml", "no signing certificate"),
                       ("/none.xml", "HTTP status 404")):
        code, msg = create_error(idp, pool["Id"], "Junk", "SAML",
                                 {"MetadataURL": stand.base + path})
        assert code == "InvalidParameterException" and text in msg
    code, msg = create_error(idp, pool["Id"], "Junk", "SAML",
                             {"MetadataFile": UNSIGNED})
    assert code == "InvalidParameterException"
    assert "no signing certificate" in msg


# --- Duplicates, absence, update, delete ---------------------------------

def test_duplicates(server, pool, idp):
    create(idp, pool["Id"], "Okta", "SAML", {"MetadataFile": METADATA},
           IdpIdentifiers=["okta.example"])
    code, msg = server.aws_error(
        "create-identity-provider", "--user-pool-id", pool["Id"],
        "--provider-name", "Okta", "--provider-type", "SAML",
        "--provider-details", json.dumps({"MetadataFile": METADATA}))
    assert code == "DuplicateProviderException"
    assert "Okta" in msg and pool["Id"] in msg
    code, msg = create_error(idp, pool["Id"], "Other", "SAML",
                             {"MetadataFile": METADATA},
                             IdpIdentifiers=["okta.example"])
    assert code == "InvalidParameterException" and "IdpIdentifier" in msg
    code, _ = create_error(idp, pool["Id"], "Twice", "SAML",
                           {"MetadataFile": METADATA},
                           IdpIdentifiers=["a.example", "a.example"])
    assert code == "InvalidParameterException"
    # Nothing of the refused ones was written.
    names = [p["ProviderName"] for p in idp.list_identity_providers(
        UserPoolId=pool["Id"])["Providers"]]
    assert names == ["Okta"]


def test_not_found(pool, idp):
    for call, kw in (
            (idp.describe_identity_provider, {"ProviderName": "Nobody"}),
            (idp.update_identity_provider, {"ProviderName": "Nobody",
                                            "AttributeMapping": {}}),
            (idp.delete_identity_provider, {"ProviderName": "Nobody"}),
            (idp.get_identity_provider_by_identifier,
             {"IdpIdentifier": "nobody.example"})):
        code, _ = refused(call, UserPoolId=pool["Id"], **kw)
        assert code == "ResourceNotFoundException", call
        code, msg = refused(call, UserPoolId=NOSUCH, **kw)
        assert code == "ResourceNotFoundException" and NOSUCH in msg
    code, _ = create_error(idp, NOSUCH, "Okta", "SAML",
                           {"MetadataFile": METADATA})
    assert code == "ResourceNotFoundException"
    code, _ = refused(idp.list_identity_providers, UserPoolId=NOSUCH)
    assert code == "ResourceNotFoundException"


def test_update_keeps_secret_and_rediscovers(server, pool, stand, idp):
    iss = discovery(stand, "upd")
    create(idp, pool["Id"], "Corp", "OIDC", oidc_details(iss),
           IdpIdentifiers=["corp.example"])
    before = describe(idp, pool["Id"], "Corp")
    time.sleep(0.01)
    details = oidc_details(iss, authorize_scopes="openid")
    del details["client_secret"]
    out = server.aws(
        "update-identity-provider", "--user-pool-id", pool["Id"],
        "--provider-name", "Corp", "--provider-details",
        json.dumps(details), "--idp-identifiers", "corp.test",
        "--attribute-mapping", json.dumps({"email": "mail"}))
    p = out["IdentityProvider"]
    assert p["ProviderDetails"]["client_secret"] == SECRET
    assert p["ProviderDetails"]["authorize_scopes"] == "openid"
    assert p["ProviderDetails"]["jwks_uri"] == iss + "/jwks"
    assert p["IdpIdentifiers"] == ["corp.test"]
    assert p["AttributeMapping"] == {"email": "mail", "username": "sub"}
    after = describe(idp, pool["Id"], "Corp")
    assert after["CreationDate"] == before["CreationDate"]
    assert after["LastModifiedDate"] > before["LastModifiedDate"]
    # Only what is given changes.
    idp.update_identity_provider(UserPoolId=pool["Id"], ProviderName="Corp",
                                 AttributeMapping={"email": "email"})
    again = describe(idp, pool["Id"], "Corp")
    assert again["ProviderDetails"] == p["ProviderDetails"]
    assert again["IdpIdentifiers"] == ["corp.test"]
    # The old identifier is free again.
    create(idp, pool["Id"], "Okta", "SAML", {"MetadataFile": METADATA},
           IdpIdentifiers=["corp.example"])


def test_update_fetches_saml_metadata_again(server, pool, stand, idp):
    """UpdateIdentityProvider with ProviderDetails fetches the metadata
    at the same MetadataURL again: a new SSO URL and signing certificate
    at the IdP show; an update of the mapping alone fetches nothing."""
    url = stand.base + "/roll.xml"
    stand.routes["/roll.xml"] = (200, {}, METADATA.encode())
    create(idp, pool["Id"], "Roll", "SAML", {"MetadataURL": url})
    sso2 = "https://idp.example/sso-rolled"
    rolled = _metadata().replace(SSO, sso2)
    stand.routes["/roll.xml"] = (200, {}, rolled.encode())
    idp.update_identity_provider(UserPoolId=pool["Id"], ProviderName="Roll",
                                 ProviderDetails={"MetadataURL": url})
    d = describe(idp, pool["Id"], "Roll")
    assert d["ProviderDetails"] == {"MetadataURL": url,
                                    "SSORedirectBindingURI": sso2}
    stored = psql(server, "SELECT metadata FROM identity_providers WHERE "
                  "pool_id = '%s' AND provider_name = 'Roll'" % pool["Id"])
    assert stored.strip() == rolled
    del stand.routes["/roll.xml"]
    idp.update_identity_provider(UserPoolId=pool["Id"], ProviderName="Roll",
                                 AttributeMapping={"email": "mail"})
    assert describe(idp, pool["Id"], "Roll")["ProviderDetails"] == \
        d["ProviderDetails"]
    # Given again, the details need the metadata: a failed fetch refuses
    # the update and keeps what was stored.
    code, msg = refused(idp.update_identity_provider, UserPoolId=pool["Id"],
                        ProviderName="Roll",
                        ProviderDetails={"MetadataURL": url})
    assert code == "InvalidParameterException" and "404" in msg
    assert psql(server, "SELECT metadata FROM identity_providers WHERE "
                "pool_id = '%s' AND provider_name = 'Roll'" %
                pool["Id"]).strip() == rolled


def test_delete_and_identifier_lookup(server, pool, idp):
    create(idp, pool["Id"], "Okta", "SAML", {"MetadataFile": METADATA},
           IdpIdentifiers=["okta.example", "okta"])
    out = server.aws("get-identity-provider-by-identifier", "--user-pool-id",
                     pool["Id"], "--idp-identifier", "okta")
    assert out["IdentityProvider"]["ProviderName"] == "Okta"
    code, msg = server.aws_error("get-identity-provider-by-identifier",
                                 "--user-pool-id", pool["Id"],
                                 "--idp-identifier", "nobody")
    assert code == "ResourceNotFoundException" and "nobody" in msg
    server.aws("delete-identity-provider", "--user-pool-id", pool["Id"],
               "--provider-name", "Okta")
    code, _ = refused(idp.get_identity_provider_by_identifier,
                      UserPoolId=pool["Id"], IdpIdentifier="okta")
    assert code == "ResourceNotFoundException"
    code, _ = server.aws_error("delete-identity-provider", "--user-pool-id",
                               pool["Id"], "--provider-name", "Okta")
    assert code == "ResourceNotFoundException"


def test_list_pages(server, pool, idp):
    names = ["Idp%02d" % i for i in range(7)]
    for n in reversed(names):
        create(idp, pool["Id"], n, "SAML", {"MetadataFile": METADATA})
    seen, token, pages = [], None, 0
    while True:
        kw = {"NextToken": token} if token else {}
        page = idp.list_identity_providers(UserPoolId=pool["Id"],
                                           MaxResults=3, **kw)
        pages += 1
        assert len(page["Providers"]) <= 3
        for p in page["Providers"]:
            assert set(p) == {"ProviderName", "ProviderType",
                              "LastModifiedDate", "CreationDate"}
        seen += [p["ProviderName"] for p in page["Providers"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names and pages == 3
    # The CLI follows the tokens itself.
    out = server.aws("list-identity-providers", "--user-pool-id",
                     pool["Id"], "--page-size", "2")
    assert [p["ProviderName"] for p in out["Providers"]] == names
    code, _ = refused(idp.list_identity_providers, UserPoolId=pool["Id"],
                      NextToken="bogus")
    assert code == "InvalidParameterException"


# --- App clients -----------------------------------------------------------

def test_client_names_existing_providers_only(pool, idp):
    code, msg = refused(idp.create_user_pool_client, UserPoolId=pool["Id"],
                        ClientName="web",
                        SupportedIdentityProviders=["COGNITO", "Okta"])
    assert code == "InvalidParameterException"
    assert "The provider Okta does not exist for User Pool %s" % \
        pool["Id"] in msg
    create(idp, pool["Id"], "Okta", "SAML", {"MetadataFile": METADATA})
    c = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="web",
        SupportedIdentityProviders=["COGNITO", "Okta"])["UserPoolClient"]
    assert c["SupportedIdentityProviders"] == ["COGNITO", "Okta"]
    code, msg = refused(idp.update_user_pool_client, UserPoolId=pool["Id"],
                        ClientId=c["ClientId"],
                        SupportedIdentityProviders=["Okta", "Google"])
    assert code == "InvalidParameterException" and "Google" in msg
    got = idp.describe_user_pool_client(UserPoolId=pool["Id"],
                                        ClientId=c["ClientId"])
    assert got["UserPoolClient"]["SupportedIdentityProviders"] == \
        ["COGNITO", "Okta"]
