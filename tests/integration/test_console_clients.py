"""The console's application sections (src/ui/console_clients.c): App
clients, App client settings, Domain name, UI customization, Resource
servers, Identity providers and Attribute mapping. Each page is edited
through its form as a browser would post it (the `console` fixture's
signed-in session), then the AWS CLI describes what the pool now is.
Errors show the operation's own message beside the field, with what was
typed kept and nothing changed."""

import base64
import html
import json
import re
import uuid

import botocore.exceptions
import pytest

from test_browser import shots_dir
from test_idp_api import METADATA, discovery, stand  # noqa: F401
from test_npm_clients import App, node  # noqa: F401 (a fixture)

PNG = base64.b64encode(
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
    b"\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8"
    b"\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
).decode()
CERT_ARN = ("arn:aws:acm:us-east-1:123456789012:certificate/"
            "11111111-2222-3333-4444-555555555555")


def field(page, name):
    """The text of the element with data-field=name."""
    m = re.search(r'data-field="%s"[^>]*>([^<]*)<' % re.escape(name),
                  page.text)
    assert m, "no data-field %s in %s" % (name, page.text[:3000])
    return html.unescape(m.group(1))


def text(page):
    return html.unescape(page.text)


def labels(page):
    """The texts of the page's <label> elements."""
    return [html.unescape(re.sub(r"<[^>]*>", "", m)).strip()
            for m in re.findall(r"<label[^>]*>(.*?)</label>", page.text,
                                re.S)]


def input_value(page, elem_id):
    m = re.search(r'<input[^>]*\bid="%s"[^>]*>' % re.escape(elem_id),
                  page.text)
    assert m, elem_id
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def checked(page, elem_id):
    m = re.search(r'<input[^>]*\bid="%s"[^>]*>' % re.escape(elem_id),
                  page.text)
    assert m, elem_id
    return re.search(r"\bchecked\b", m.group(0)) is not None


def error_beside(page, elem_id):
    """The error paragraph the field elem_id points at (aria-describedby)."""
    m = re.search(r'<(?:input|textarea)[^>]*\bid="%s"[^>]*>'
                  % re.escape(elem_id), page.text)
    assert m, elem_id
    d = re.search(r'aria-describedby="([^"]*)"', m.group(0))
    assert d, "no error beside %s: %s" % (elem_id, m.group(0))
    e = re.search(r'id="%s"[^>]*>([^<]*)<' % re.escape(d.group(1)),
                  page.text)
    return html.unescape(e.group(1))


def base(pool):
    return "/console/pools/%s" % pool["Id"]


def clients_of(server, pool_id):
    return server.aws("list-user-pool-clients", "--user-pool-id",
                      pool_id)["UserPoolClients"]


def describe_client(server, pool_id, client_id):
    return server.aws("describe-user-pool-client", "--user-pool-id",
                      pool_id, "--client-id", client_id)["UserPoolClient"]


def add_client(console, pool, **fields):
    form = {"name": "web", "refresh": "30"}
    form.update(fields)
    page = console.post(base(pool) + "/clients/new", form)
    assert page.status == 303, page
    return page.location.rsplit("/", 1)[1]


# --- App clients -------------------------------------------------------

def test_add_app_client_without_secret(server, console, pool):
    page = console.get(base(pool) + "/clients")
    assert page.status == 200
    assert "Add an app client" in page.text
    page = console.get(base(pool) + "/clients/new")
    assert page.status == 200
    got = labels(page)
    for want in ("App client name", "Refresh token expiration (days)",
                 "Generate client secret",
                 "Enable sign-in API for server-based authentication "
                 "(ADMIN_NO_SRP_AUTH)",
                 "Only allow Custom Authentication (CUSTOM_AUTH_FLOW_ONLY)",
                 "Enable username-password (non-SRP) flow for app-based "
                 "authentication (USER_PASSWORD_AUTH)"):
        assert want in got, (want, got)
    assert checked(page, "client-secret")
    assert ">Create app client</button>" in page.text

    page = console.post(base(pool) + "/clients/new", {
        "name": "notes-web", "refresh": "10",
        "flow": ["ADMIN_NO_SRP_AUTH"]})
    assert page.status == 303, page
    page = console.get(page.location)
    assert page.status == 200
    client_id = field(page, "client-id")
    assert "Add another app client" in page.text
    assert "Return to pool details" in page.text
    assert 'data-field="client-secret"' not in page.text

    c = describe_client(server, pool["Id"], client_id)
    assert c["ClientName"] == "notes-web"
    assert "ClientSecret" not in c
    assert c["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH"]
    assert c["RefreshTokenValidity"] == 10
    assert c["TokenValidityUnits"]["RefreshToken"] == "days"
    listed = console.get(base(pool) + "/clients")
    assert client_id in listed.text and "notes-web" in listed.text


def test_add_app_client_with_secret(server, console, pool):
    client_id = add_client(console, pool, secret="on")
    page = console.get(base(pool) + "/clients/" + client_id)
    c = describe_client(server, pool["Id"], client_id)
    assert field(page, "client-secret") == c["ClientSecret"]
    assert c["RefreshTokenValidity"] == 30


def test_add_app_client_error_keeps_the_form(server, console, pool):
    name = "bad/name"
    page = console.post(base(pool) + "/clients/new", {
        "name": name, "refresh": "12", "flow": ["USER_PASSWORD_AUTH"]})
    assert page.status == 400
    _, msg = server.aws_error("create-user-pool-client", "--user-pool-id",
                              pool["Id"], "--client-name", name)
    assert error_beside(page, "client-name") == msg
    assert input_value(page, "client-name") == name
    assert input_value(page, "client-refresh") == "12"
    assert not checked(page, "client-secret")
    assert checked(page, "flow-USER_PASSWORD_AUTH")
    assert clients_of(server, pool["Id"]) == []

    # A refresh lifetime that is not a number: the API's message, there.
    page = console.post(base(pool) + "/clients/new", {
        "name": "web", "refresh": "ten", "secret": "on"})
    assert page.status == 400
    assert "can not be converted to an Integer" in \
        error_beside(page, "client-refresh")
    assert input_value(page, "client-refresh") == "ten"
    assert checked(page, "client-secret")
    assert clients_of(server, pool["Id"]) == []


def test_client_page_edits_the_whole_client(server, console, pool):
    client_id = add_client(console, pool)
    # Set outside this form, kept by its Save changes.
    server.aws("update-user-pool-client", "--user-pool-id", pool["Id"],
               "--client-id", client_id, "--client-name", "web",
               "--callback-urls", "https://app.example.com/cb",
               "--allowed-o-auth-flows", "code",
               "--allowed-o-auth-scopes", "openid",
               "--allowed-o-auth-flows-user-pool-client",
               "--supported-identity-providers", "COGNITO")
    page = console.get(base(pool) + "/clients/" + client_id)
    assert page.status == 200
    got = labels(page)
    for want in ("App client name", "Refresh token expiration",
                 "Access token expiration", "ID token expiration",
                 "email", "name"):
        assert want in got, (want, got)
    page = console.post(base(pool) + "/clients/" + client_id, {
        "name": "web-renamed",
        "refresh": "7", "refresh_unit": "days",
        "access": "30", "access_unit": "minutes",
        "idtoken": "2", "idtoken_unit": "hours",
        "flow": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "read": ["email", "name"],
        "write": ["name"]})
    assert page.status == 303, page
    assert "Your changes have been saved." in console.get(
        page.location).text
    c = describe_client(server, pool["Id"], client_id)
    assert c["ClientName"] == "web-renamed"
    assert c["RefreshTokenValidity"] == 7
    assert c["AccessTokenValidity"] == 30
    assert c["IdTokenValidity"] == 2
    assert c["TokenValidityUnits"] == {"RefreshToken": "days",
                                       "AccessToken": "minutes",
                                       "IdToken": "hours"}
    assert sorted(c["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
    assert sorted(c["ReadAttributes"]) == ["email", "name"]
    assert c["WriteAttributes"] == ["name"]
    assert c["CallbackURLs"] == ["https://app.example.com/cb"]
    assert c["AllowedOAuthFlows"] == ["code"]
    assert c["SupportedIdentityProviders"] == ["COGNITO"]

    # The page shows what was saved.
    page = console.get(base(pool) + "/clients/" + client_id)
    assert input_value(page, "client-access") == "30"
    assert checked(page, "flow-ALLOW_USER_PASSWORD_AUTH")
    assert not checked(page, "flow-ALLOW_USER_SRP_AUTH")

    # Mixed legacy and ALLOW_ flows: the API's message, nothing saved.
    page = console.post(base(pool) + "/clients/" + client_id, {
        "name": "other", "refresh": "7", "refresh_unit": "days",
        "flow": ["ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"]})
    assert page.status == 400
    assert "ExplicitAuthFlows cannot mix" in text(page)
    assert input_value(page, "client-name") == "other"
    assert describe_client(server, pool["Id"],
                           client_id)["ClientName"] == "web-renamed"


def test_delete_app_client(server, console, pool):
    client_id = add_client(console, pool)
    page = console.post(base(pool) + "/clients/%s/delete" % client_id)
    assert page.status == 303
    assert page.location.endswith("/clients")
    assert clients_of(server, pool["Id"]) == []


# --- App client settings ------------------------------------------------

def google(server, pool_id):
    server.aws("create-identity-provider", "--user-pool-id", pool_id,
               "--provider-name", "Google", "--provider-type", "Google",
               "--provider-details",
               "client_id=g-client,client_secret=g-secret,"
               "authorize_scopes=openid email")


def test_app_client_settings(server, console, pool):
    client_id = add_client(console, pool)
    google(server, pool["Id"])
    server.aws("create-resource-server", "--user-pool-id", pool["Id"],
               "--identifier", "https://api.example.com", "--name", "api",
               "--scopes", "ScopeName=read,ScopeDescription=Read")
    page = console.get(base(pool) + "/client-settings")
    assert page.status == 200
    got = labels(page)
    for want in ("Cognito User Pool", "Google", "Callback URL(s)",
                 "Sign out URL(s)", "Authorization code grant",
                 "Implicit grant", "Client credentials", "phone", "email",
                 "openid", "aws.cognito.signin.user.admin", "profile",
                 "https://api.example.com/read"):
        assert want in got, (want, got)
    assert ">Save changes</button>" in page.text

    page = console.post(base(pool) + "/client-settings", {
        "client_id": client_id, "idp": ["COGNITO", "Google"],
        "callback": "https://app.example.com/cb, https://localhost/cb",
        "logout": "https://app.example.com/bye",
        "flow": ["code", "implicit"],
        "scope": ["openid", "email", "https://api.example.com/read"]})
    assert page.status == 303, page
    c = describe_client(server, pool["Id"], client_id)
    assert c["SupportedIdentityProviders"] == ["COGNITO", "Google"]
    assert c["CallbackURLs"] == ["https://app.example.com/cb",
                                 "https://localhost/cb"]
    assert c["LogoutURLs"] == ["https://app.example.com/bye"]
    assert c["AllowedOAuthFlows"] == ["code", "implicit"]
    assert c["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(c["AllowedOAuthScopes"]) == [
        "email", "https://api.example.com/read", "openid"]
    assert c["RefreshTokenValidity"] == 30   # the rest as it was

    page = console.get(base(pool) + "/client-settings")
    assert input_value(page, client_id + "-callback") == \
        "https://app.example.com/cb, https://localhost/cb"


def test_app_client_settings_bad_callback_url(server, console, pool):
    client_id = add_client(console, pool)
    bad = "http://app.example.com/cb"
    page = console.post(base(pool) + "/client-settings", {
        "client_id": client_id, "idp": ["COGNITO"], "callback": bad,
        "flow": ["code"], "scope": ["openid"]})
    assert page.status == 400
    _, msg = server.aws_error(
        "update-user-pool-client", "--user-pool-id", pool["Id"],
        "--client-id", client_id, "--callback-urls", bad,
        "--allowed-o-auth-flows", "code", "--allowed-o-auth-scopes",
        "openid", "--allowed-o-auth-flows-user-pool-client")
    assert error_beside(page, client_id + "-callback") == msg
    assert input_value(page, client_id + "-callback") == bad
    assert checked(page, client_id + "-codeflow")
    c = describe_client(server, pool["Id"], client_id)
    assert "CallbackURLs" not in c and "AllowedOAuthFlows" not in c


# --- Domain name --------------------------------------------------------

def test_domain_check_save_delete(server, console, pool, make_pool):
    prefix = "notes-%s" % uuid.uuid4().hex[:8]
    page = console.get(base(pool) + "/domain")
    assert page.status == 200
    assert "Domain prefix" in labels(page)
    assert ">Check availability</button>" in page.text
    page = console.post(base(pool) + "/domain", {"prefix": prefix,
                                                 "action": "check"})
    assert page.status == 200
    assert "This domain is available" in page.text
    assert input_value(page, "domain-prefix") == prefix

    page = console.post(base(pool) + "/domain", {"prefix": prefix,
                                                 "action": "save"})
    assert page.status == 303, page
    page = console.get(page.location)
    url = field(page, "domain-url")
    assert url.endswith("/" + prefix) or url.startswith(
        "https://%s." % prefix)
    d = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert d["UserPool"]["Domain"] == prefix
    # The URL shown serves the pool's hosted pages.
    r = server.curl("-o", "/dev/null", "-w", "%{http_code}",
                    url + "/login?client_id=x")
    assert r.stdout in ("200", "400", "404"), r.stdout

    other = make_pool()
    page = console.post("/console/pools/%s/domain" % other["Id"], {
        "prefix": prefix, "action": "check"})
    assert "This domain is not available" in page.text

    page = console.post(base(pool) + "/domain", {"domain": prefix,
                                                 "action": "delete"})
    assert page.status == 303
    d = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert "Domain" not in d["UserPool"]


def test_domain_taken_prefix(server, console, pool, make_pool):
    prefix = "taken-%s" % uuid.uuid4().hex[:8]
    other = make_pool()
    server.aws("create-user-pool-domain", "--user-pool-id", other["Id"],
               "--domain", prefix)
    page = console.post(base(pool) + "/domain", {"prefix": prefix,
                                                 "action": "save"})
    assert page.status == 400
    _, msg = server.aws_error("create-user-pool-domain", "--user-pool-id",
                              pool["Id"], "--domain", prefix)
    assert error_beside(page, "domain-prefix") == msg
    assert input_value(page, "domain-prefix") == prefix
    d = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert "Domain" not in d["UserPool"]


def test_custom_domain_with_certificate(server, console, pool):
    host = "auth-%s.example.org" % uuid.uuid4().hex[:8]
    page = console.post(base(pool) + "/domain", {
        "custom": host, "certificate": CERT_ARN, "action": "custom"})
    assert page.status == 303, page
    page = console.get(page.location)
    assert field(page, "custom-domain-url") == "https://" + host
    d = server.aws("describe-user-pool-domain", "--domain", host)
    assert d["DomainDescription"]["CustomDomainConfig"][
        "CertificateArn"] == CERT_ARN
    assert input_value(page, "custom-certificate") == CERT_ARN

    arn2 = CERT_ARN.replace("5555", "6666")
    page = console.post(base(pool) + "/domain", {
        "domain": host, "certificate": arn2, "action": "certificate"})
    assert page.status == 303, page
    d = server.aws("describe-user-pool-domain", "--domain", host)
    assert d["DomainDescription"]["CustomDomainConfig"][
        "CertificateArn"] == arn2

    page = console.post(base(pool) + "/domain", {"domain": host,
                                                 "action": "delete"})
    assert page.status == 303
    d = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert "CustomDomain" not in d["UserPool"]


# --- UI customization -----------------------------------------------------

def test_ui_customization_with_preview(server, console, pool):
    css = ".submitButton-customizable { background-color: #aa0000; }"
    page = console.get(base(pool) + "/ui")
    assert page.status == 200
    assert "CSS" in labels(page)
    page = console.post(base(pool) + "/ui", {
        "client_id": "ALL", "css": css, "action": "preview"})
    assert page.status == 200
    assert css in page.text.split("</style>")[0]      # styles the preview
    assert 'class="submitButton-customizable' in page.text
    assert server.aws("get-ui-customization", "--user-pool-id",
                      pool["Id"])["UICustomization"].get("CSS") is None

    page = console.post(base(pool) + "/ui", {
        "client_id": "ALL", "css": css, "image": PNG, "action": "save"})
    assert page.status == 303, page
    u = server.aws("get-ui-customization", "--user-pool-id",
                   pool["Id"])["UICustomization"]
    assert u["CSS"] == css and "ImageUrl" in u
    page = console.get(page.location)
    assert "data:image/png;base64," + PNG in text(page)
    assert checked(page, "ui-keep")

    # CSS changed, the logo kept.
    css2 = ".background-customizable { background-color: #eeeeee; }"
    page = console.post(base(pool) + "/ui", {
        "client_id": "ALL", "css": css2, "keep": "on", "image": "",
        "action": "save"})
    assert page.status == 303, page
    u = server.aws("get-ui-customization", "--user-pool-id",
                   pool["Id"])["UICustomization"]
    assert u["CSS"] == css2 and "ImageUrl" in u

    # CSS the API refuses: its message, the text kept, nothing saved.
    bad = "body { color: red; }"
    page = console.post(base(pool) + "/ui", {
        "client_id": "ALL", "css": bad, "keep": "on", "action": "save"})
    assert page.status == 400
    _, msg = server.aws_error("set-ui-customization", "--user-pool-id",
                              pool["Id"], "--css", bad)
    assert error_beside(page, "ui-css") == msg
    assert bad in text(page)
    assert server.aws("get-ui-customization", "--user-pool-id",
                      pool["Id"])["UICustomization"]["CSS"] == css2


def test_ui_customization_of_one_client(server, console, pool):
    client_id = add_client(console, pool)
    css = ".label-customizable { font-weight: 400; }"
    page = console.post(base(pool) + "/ui", {
        "client_id": client_id, "css": css, "action": "save"})
    assert page.status == 303, page
    u = server.aws("get-ui-customization", "--user-pool-id", pool["Id"],
                   "--client-id", client_id)["UICustomization"]
    assert u["ClientId"] == client_id and u["CSS"] == css
    page = console.get(page.location)
    assert re.search(r'<option value="%s" selected>' % client_id,
                     page.text)


# --- Resource servers -----------------------------------------------------

def test_resource_servers(server, console, pool):
    ident = "https://api.example.com"
    page = console.post(base(pool) + "/resource-servers", {
        "action": "create", "name": "notes api", "identifier": ident,
        "scope_name": ["read", "write", ""],
        "scope_description": ["Read notes", "Write notes", ""]})
    assert page.status == 303, page
    rs = server.aws("describe-resource-server", "--user-pool-id",
                    pool["Id"], "--identifier", ident)["ResourceServer"]
    assert rs["Name"] == "notes api"
    assert rs["Scopes"] == [
        {"ScopeName": "read", "ScopeDescription": "Read notes"},
        {"ScopeName": "write", "ScopeDescription": "Write notes"}]
    page = console.get(page.location)
    assert field(page, "resource-server-identifier") == ident

    page = console.post(base(pool) + "/resource-servers", {
        "action": "save", "identifier": ident, "name": "notes",
        "scope_name": ["read", "", "admin"],
        "scope_description": ["Read notes", "", "Everything"]})
    assert page.status == 303, page
    rs = server.aws("describe-resource-server", "--user-pool-id",
                    pool["Id"], "--identifier", ident)["ResourceServer"]
    assert rs["Name"] == "notes"
    assert [s["ScopeName"] for s in rs["Scopes"]] == ["read", "admin"]

    # A duplicate scope: the API's message, the rows kept.
    page = console.post(base(pool) + "/resource-servers", {
        "action": "create", "name": "other", "identifier": "other",
        "scope_name": ["a", "a"], "scope_description": ["x", "y"]})
    assert page.status == 400
    assert "Duplicate scope name a." in text(page)
    assert input_value(page, "rs-identifier") == "other"
    assert input_value(page, "new-1d") == "y"
    assert len(server.aws("list-resource-servers", "--user-pool-id",
                          pool["Id"], "--max-results", "50")[
        "ResourceServers"]) == 1

    page = console.post(base(pool) + "/resource-servers", {
        "action": "delete", "identifier": ident})
    assert page.status == 303
    assert server.aws("list-resource-servers", "--user-pool-id",
                      pool["Id"], "--max-results", "50")[
        "ResourceServers"] == []


# --- Identity providers and attribute mapping -------------------------------

def test_identity_providers(server, console, pool, idp):
    page = console.get(base(pool) + "/identity-providers")
    assert page.status == 200
    for want in ("Provider type", "Provider name", "Client ID",
                 "Client secret", "Metadata document"):
        assert want in labels(page), want
    page = console.post(base(pool) + "/identity-providers", {
        "action": "create", "type": "Google", "name": "",
        "client_id": "g-client", "client_secret": "g-secret",
        "authorize_scopes": "openid email", "MetadataFile": "ignored"})
    assert page.status == 303, page
    p = server.aws("describe-identity-provider", "--user-pool-id",
                   pool["Id"], "--provider-name", "Google")[
        "IdentityProvider"]
    assert p["ProviderType"] == "Google"
    assert p["ProviderDetails"]["client_id"] == "g-client"
    assert p["ProviderDetails"]["authorize_scopes"] == "openid email"
    assert "MetadataFile" not in p["ProviderDetails"]

    page = console.post(base(pool) + "/identity-providers", {
        "action": "create", "type": "SAML", "name": "Corp",
        "MetadataFile": METADATA, "IDPSignout": "true",
        "identifiers": "corp.example.com"})
    assert page.status == 303, page
    p = server.aws("describe-identity-provider", "--user-pool-id",
                   pool["Id"], "--provider-name", "Corp")[
        "IdentityProvider"]
    assert p["ProviderType"] == "SAML"
    assert p["ProviderDetails"]["IDPSignout"] == "true"
    assert p["IdpIdentifiers"] == ["corp.example.com"]
    page = console.get(base(pool) + "/identity-providers")
    assert "Corp" in page.text and "SAML" in page.text

    # The same name again: the API's message by the name, typed kept.
    page = console.post(base(pool) + "/identity-providers", {
        "action": "create", "type": "SAML", "name": "Corp",
        "MetadataFile": METADATA})
    assert page.status == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.create_identity_provider(
            UserPoolId=pool["Id"], ProviderName="Corp", ProviderType="SAML",
            ProviderDetails={"MetadataFile": METADATA})
    assert error_beside(page, "idp-name") == \
        e.value.response["Error"]["Message"]
    assert input_value(page, "idp-name") == "Corp"

    page = console.post(base(pool) + "/identity-providers", {
        "action": "delete", "provider": "Corp"})
    assert page.status == 303
    names = [p["ProviderName"] for p in server.aws(
        "list-identity-providers", "--user-pool-id", pool["Id"])[
        "Providers"]]
    assert names == ["Google"]


def test_oidc_provider_discovered(server, console, pool, idp,
                                  stand):  # noqa: F811
    issuer = discovery(stand, "console-oidc")
    page = console.post(base(pool) + "/identity-providers", {
        "action": "create", "type": "OIDC", "name": "CorpOidc",
        "client_id": "corp-app", "client_secret": "corp-secret",
        "authorize_scopes": "openid email", "oidc_issuer": issuer,
        "attributes_request_method": "POST", "team_id": "ignored"})
    assert page.status == 303, page
    p = server.aws("describe-identity-provider", "--user-pool-id",
                   pool["Id"], "--provider-name", "CorpOidc")[
        "IdentityProvider"]
    d = p["ProviderDetails"]
    assert p["ProviderType"] == "OIDC"
    assert d["client_id"] == "corp-app" and d["oidc_issuer"] == issuer
    assert d["attributes_request_method"] == "POST"
    assert d["token_url"] == issuer + "/token"      # discovered
    assert "team_id" not in d

    # An issuer without a discovery document: the API's message, the
    # form kept but for the secret, nothing stored.
    gone = stand.base + "/nowhere"
    page = console.post(base(pool) + "/identity-providers", {
        "action": "create", "type": "OIDC", "name": "Gone",
        "client_id": "gone-app", "client_secret": "gone-secret",
        "authorize_scopes": "openid", "oidc_issuer": gone,
        "attributes_request_method": "GET"})
    assert page.status == 400
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.create_identity_provider(
            UserPoolId=pool["Id"], ProviderName="Gone", ProviderType="OIDC",
            ProviderDetails={"client_id": "gone-app",
                             "client_secret": "gone-secret",
                             "authorize_scopes": "openid",
                             "oidc_issuer": gone,
                             "attributes_request_method": "GET"})
    shown = re.search(r'id="idp-details-error"[^>]*>([^<]*)<', page.text)
    assert html.unescape(shown.group(1)) == \
        e.value.response["Error"]["Message"]
    assert input_value(page, "idp-client-id") == "gone-app"
    assert input_value(page, "idp-issuer") == gone
    assert "gone-secret" not in page.text
    names = [p["ProviderName"] for p in server.aws(
        "list-identity-providers", "--user-pool-id", pool["Id"])[
        "Providers"]]
    assert names == ["CorpOidc"]


def test_attribute_mapping(server, console, pool):
    google(server, pool["Id"])
    page = console.get(base(pool) + "/attribute-mapping")
    assert page.status == 200
    assert "Google" in page.text
    page = console.get(base(pool) + "/attribute-mapping?provider=Google")
    assert page.status == 200
    page = console.post(base(pool) + "/attribute-mapping", {
        "provider": "Google",
        "provider_attr": ["sub", "email", "given_name", ""],
        "pool_attr": ["username", "email", "name", ""]})
    assert page.status == 303, page
    p = server.aws("describe-identity-provider", "--user-pool-id",
                   pool["Id"], "--provider-name", "Google")[
        "IdentityProvider"]
    assert p["AttributeMapping"] == {"username": "sub", "email": "email",
                                     "name": "given_name"}
    page = console.get(page.location)
    assert "Your changes have been saved." in page.text
    n = next(i for i in range(1, 7)
             if input_value(page, "map-idp-%d" % i) == "given_name")
    select = re.search(r'<select id="map-pool-%d".*?</select>' % n,
                       page.text, re.S).group(0)
    assert '<option value="name" selected>' in select


# --- Accessibility --------------------------------------------------------

def test_pages_have_no_serious_violation(server, node, make_pool,  # noqa: F811
                                         idp):
    """axe-core in Chromium (console_axe.js) over every page of this
    file, for a pool with two clients (one with OAuth settings), a
    provider, a resource server, a domain and a customization."""
    app = App(server, make_pool, idp)
    pid = app.pool_id
    google(server, pid)
    idp.create_resource_server(
        UserPoolId=pid, Identifier="https://api.example.com", Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}])
    idp.update_user_pool_client(
        UserPoolId=pid, ClientId=app.client_id, ClientName="web",
        CallbackURLs=["https://app.example.com/cb"],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO", "Google"])
    idp.create_user_pool_client(UserPoolId=pid, ClientName="server",
                                GenerateSecret=True)
    idp.create_user_pool_domain(UserPoolId=pid, Domain="cc-%s" %
                                pid.split("_")[1].lower()[:20])
    idp.set_ui_customization(UserPoolId=pid, CSS=".label-customizable "
                             "{ font-weight: 400; }",
                             ImageFile=base64.b64decode(PNG))
    pages = ["/console/pools/%s/%s" % (pid, p) for p in (
        "clients", "clients/new", "clients/" + app.client_id,
        "client-settings", "domain", "ui", "ui?client_id=" + app.client_id,
        "resource-servers", "identity-providers", "attribute-mapping",
        "attribute-mapping?provider=Google")]
    r = app.run(node, "console_axe.js", "axe", timeout=600,
                base=server.https, stateDir=server.state_dir, start=pages,
                max=len(pages) + 1)
    got = r.value("pages")
    for p in pages:
        assert got[p]["status"] == 200, (p, got[p])
    bad = {p: v["violations"] for p, v in got.items() if v["violations"]}
    assert not bad, json.dumps(bad, indent=1)


def test_pages_in_chromium(server, node, make_pool, idp):  # noqa: F811
    """tests/clients/console_clients.js: Add an app client, App client
    settings, a taken domain prefix and a CSS preview, by role and
    accessible name in Chromium; the AWS CLI describes what was
    clicked."""
    app = App(server, make_pool, idp)
    other = make_pool()
    taken = "chromium-%s" % uuid.uuid4().hex[:8]
    idp.create_user_pool_domain(UserPoolId=other["Id"], Domain=taken)
    r = app.run(node, "console_clients.js", "pages", timeout=300,
                base=server.https, stateDir=server.state_dir,
                pool=app.pool_id, taken=taken,
                shots=shots_dir("console_clients_chromium"))
    client_id = r.value("client")
    c = describe_client(server, app.pool_id, client_id)
    assert c["ClientName"] == "chromium-web"
    assert "ClientSecret" not in c
    assert c["ExplicitAuthFlows"] == ["USER_PASSWORD_AUTH"]
    assert c["RefreshTokenValidity"] == 5
    assert r.value("settings") == "https://app.example.com/cb"
    s = describe_client(server, app.pool_id, client_id)
    assert "CallbackURLs" not in describe_client(server, app.pool_id,
                                                 app.client_id)
    assert s["CallbackURLs"] == ["https://app.example.com/cb"]
    assert s["LogoutURLs"] == ["https://app.example.com/bye"]
    assert s["AllowedOAuthFlows"] == ["code"]
    assert sorted(s["AllowedOAuthScopes"]) == ["openid", "profile"]
    assert s["SupportedIdentityProviders"] == ["COGNITO"]

    d = r.value("domain")
    _, msg = server.aws_error("create-user-pool-domain", "--user-pool-id",
                              app.pool_id, "--domain", taken)
    assert d == {"value": taken, "message": msg, "describedBy": msg}
    assert "Domain" not in server.aws(
        "describe-user-pool", "--user-pool-id", app.pool_id)["UserPool"]

    assert r.value("preview") == "rgb(170, 0, 0)"
    assert server.aws("get-ui-customization", "--user-pool-id",
                      app.pool_id)["UICustomization"].get("CSS") is None
