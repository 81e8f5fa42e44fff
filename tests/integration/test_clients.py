"""App clients, resource servers, tags and UI customization of a pool,
driven with the AWS CLI (and boto3 where paging must be seen page by
page): the console's getting-started path, the defaults Cognito fills
in, full-replacement updates, paging, and every validation rule."""
import base64
import re
import uuid

import pytest

from conftest import error_of, psql

CLIENT_ID = re.compile(r"^[a-z0-9]{26}$")
SECRET = re.compile(r"^[a-z0-9]{52}$")
DEFAULT_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH",
                 "ALLOW_CUSTOM_AUTH"]
# The smallest valid PNG: 1x1, one grey pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCB"
    "yLkG3QAAAABJRU5ErkJggg==")


def create_client(server, pool_id, *args, name="web"):
    return server.aws("create-user-pool-client", "--user-pool-id", pool_id,
                      "--client-name", name, *args)["UserPoolClient"]


def describe_client(server, pool_id, client_id):
    return server.aws("describe-user-pool-client", "--user-pool-id",
                      pool_id, "--client-id", client_id)["UserPoolClient"]


def client_error(server, pool_id, *args):
    return server.aws_error("create-user-pool-client", "--user-pool-id",
                            pool_id, "--client-name", "bad", *args)


def boto_client_error(server, pool_id, **kw):
    """(Code, Message) of a CreateUserPoolClient through boto3 that must
    fail."""
    with pytest.raises(Exception) as excinfo:
        server.boto3().create_user_pool_client(UserPoolId=pool_id,
                                               ClientName="bad", **kw)
    return error_of(excinfo)


@pytest.fixture
def schema_pool(server):
    """A pool with a mutable custom:plan and an immutable custom:tenant."""
    cognito = server.boto3()
    up = cognito.create_user_pool(
        PoolName="schema-%s" % uuid.uuid4().hex[:8], Schema=[
            {"Name": "plan", "AttributeDataType": "String",
             "Mutable": True},
            {"Name": "tenant", "AttributeDataType": "String",
             "Mutable": False}])["UserPool"]
    yield up
    cognito.delete_user_pool(UserPoolId=up["Id"])


# --- the getting-started path ------------------------------------------

def test_getting_started_client_without_secret(server, pool):
    c = create_client(server, pool["Id"], "--no-generate-secret",
                      "--explicit-auth-flows", "ADMIN_NO_SRP_AUTH")
    assert CLIENT_ID.match(c["ClientId"]), c
    assert "ClientSecret" not in c
    assert c["ClientName"] == "web"
    assert c["UserPoolId"] == pool["Id"]
    assert c["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH"]
    assert "CreationDate" in c and "LastModifiedDate" in c
    d = describe_client(server, pool["Id"], c["ClientId"])
    assert d == c


def test_defaults_of_a_client_created_with_a_name_only(server, pool):
    c = create_client(server, pool["Id"])
    assert c["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert (c["AccessTokenValidity"], c["IdTokenValidity"],
            c["RefreshTokenValidity"]) == (60, 60, 30)
    assert c["TokenValidityUnits"] == {"AccessToken": "minutes",
                                       "IdToken": "minutes",
                                       "RefreshToken": "days"}
    assert c["PreventUserExistenceErrors"] == "LEGACY"
    assert c["EnableTokenRevocation"] is True
    assert c["EnablePropagateAdditionalUserContextData"] is False
    assert c["AuthSessionValidity"] == 3
    assert c["AllowedOAuthFlowsUserPoolClient"] is False
    for absent in ("ReadAttributes", "WriteAttributes", "CallbackURLs",
                   "AllowedOAuthFlows", "AllowedOAuthScopes",
                   "ClientSecret"):
        assert absent not in c, absent


def test_client_with_secret(server, pool):
    c = create_client(server, pool["Id"], "--generate-secret")
    assert SECRET.match(c["ClientSecret"]), c
    d = describe_client(server, pool["Id"], c["ClientId"])
    assert d["ClientSecret"] == c["ClientSecret"]
    sealed = psql(server, "SELECT secret_sealed FROM clients WHERE id = "
                  "'%s'" % c["ClientId"]).strip()
    assert sealed.startswith("v1.") and c["ClientSecret"] not in sealed
    listed = server.aws("list-user-pool-clients", "--user-pool-id",
                        pool["Id"])["UserPoolClients"]
    assert listed == [{"ClientId": c["ClientId"], "UserPoolId": pool["Id"],
                       "ClientName": "web"}]


def test_oauth_client_for_the_hosted_ui(server, pool):
    c = create_client(
        server, pool["Id"], "--no-generate-secret",
        "--allowed-o-auth-flows", "code",
        "--allowed-o-auth-scopes", "openid", "email", "profile",
        "--allowed-o-auth-flows-user-pool-client",
        "--callback-urls", "https://app.example.com/callback",
        "http://localhost:3000/callback", "myapp://signin",
        "--logout-urls", "https://app.example.com/",
        "--default-redirect-uri", "https://app.example.com/callback",
        "--supported-identity-providers", "COGNITO")
    assert c["AllowedOAuthFlows"] == ["code"]
    assert c["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert c["AllowedOAuthFlowsUserPoolClient"] is True
    assert c["CallbackURLs"] == ["https://app.example.com/callback",
                                 "http://localhost:3000/callback",
                                 "myapp://signin"]
    assert c["LogoutURLs"] == ["https://app.example.com/"]
    assert c["DefaultRedirectURI"] == "https://app.example.com/callback"
    assert c["SupportedIdentityProviders"] == ["COGNITO"]
    assert describe_client(server, pool["Id"], c["ClientId"]) == c


def test_loopback_http_callbacks_on_any_port(server, pool):
    urls = ["http://localhost/cb", "http://127.0.0.1:8080/cb",
            "http://[::1]:5173/cb"]
    c = create_client(server, pool["Id"], "--callback-urls", *urls)
    assert c["CallbackURLs"] == urls


# --- describe, list, update, delete ------------------------------------

def test_describe_unknown_client_and_pool(server, pool):
    name, msg = server.aws_error("describe-user-pool-client",
                                 "--user-pool-id", pool["Id"],
                                 "--client-id", "nosuchclient")
    assert name == "ResourceNotFoundException"
    assert msg == "User pool client nosuchclient does not exist."
    name, msg = server.aws_error("describe-user-pool-client",
                                 "--user-pool-id", "us-east-1_nosuch",
                                 "--client-id", "nosuchclient")
    assert name == "ResourceNotFoundException"
    assert msg == "User pool us-east-1_nosuch does not exist."
    name, msg = server.aws_error("create-user-pool-client",
                                 "--user-pool-id", "us-east-1_nosuch",
                                 "--client-name", "web")
    assert (name, msg) == ("ResourceNotFoundException",
                           "User pool us-east-1_nosuch does not exist.")


def test_list_pages_until_the_end(server, pool):
    ids = [create_client(server, pool["Id"], name="c%d" % i)["ClientId"]
           for i in range(5)]
    cognito = server.boto3()
    seen, pages, token = [], 0, None
    while True:
        kw = {"UserPoolId": pool["Id"], "MaxResults": 2}
        if token:
            kw["NextToken"] = token
        r = cognito.list_user_pool_clients(**kw)
        pages += 1
        assert len(r["UserPoolClients"]) <= 2
        seen += [c["ClientId"] for c in r["UserPoolClients"]]
        token = r.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert seen == ids
    # The CLI follows the tokens itself.
    out = server.aws("list-user-pool-clients", "--user-pool-id", pool["Id"],
                     "--page-size", "2")
    assert [c["ClientId"] for c in out["UserPoolClients"]] == ids
    assert [c["ClientName"] for c in out["UserPoolClients"]] == \
        ["c%d" % i for i in range(5)]


def test_list_rejects_a_forged_token_and_bad_limits(server, pool):
    cognito = server.boto3()
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_user_pool_clients(UserPoolId=pool["Id"],
                                       NextToken="garbage")
    name, _ = server.aws_error("list-user-pool-clients", "--user-pool-id",
                               pool["Id"], "--max-results", "61")
    assert name == "InvalidParameterException"


def test_update_is_a_full_replacement(server, pool):
    c = create_client(
        server, pool["Id"], "--generate-secret",
        "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "--access-token-validity", "2", "--read-attributes", "email",
        "--prevent-user-existence-errors", "ENABLED",
        "--callback-urls", "https://app.example.com/cb")
    assert c["AccessTokenValidity"] == 2
    assert c["TokenValidityUnits"]["AccessToken"] == "hours"
    u = server.aws("update-user-pool-client", "--user-pool-id", pool["Id"],
                   "--client-id", c["ClientId"],
                   "--refresh-token-validity", "10")["UserPoolClient"]
    assert u["ClientName"] == "web"
    assert u["ClientSecret"] == c["ClientSecret"]
    assert u["ExplicitAuthFlows"] == DEFAULT_FLOWS
    assert (u["AccessTokenValidity"], u["RefreshTokenValidity"]) == (60, 10)
    assert u["TokenValidityUnits"]["AccessToken"] == "minutes"
    assert u["PreventUserExistenceErrors"] == "LEGACY"
    assert "ReadAttributes" not in u and "CallbackURLs" not in u
    assert u["CreationDate"] == c["CreationDate"]
    d = describe_client(server, pool["Id"], c["ClientId"])
    assert d == u
    u = server.aws("update-user-pool-client", "--user-pool-id", pool["Id"],
                   "--client-id", c["ClientId"], "--client-name", "renamed"
                   )["UserPoolClient"]
    assert u["ClientName"] == "renamed"
    name, msg = server.aws_error("update-user-pool-client",
                                 "--user-pool-id", pool["Id"],
                                 "--client-id", "nosuchclient")
    assert (name, msg) == ("ResourceNotFoundException",
                           "User pool client nosuchclient does not exist.")


def test_delete_client(server, pool):
    c = create_client(server, pool["Id"])
    server.aws("delete-user-pool-client", "--user-pool-id", pool["Id"],
               "--client-id", c["ClientId"])
    name, _ = server.aws_error("describe-user-pool-client", "--user-pool-id",
                               pool["Id"], "--client-id", c["ClientId"])
    assert name == "ResourceNotFoundException"
    name, _ = server.aws_error("delete-user-pool-client", "--user-pool-id",
                               pool["Id"], "--client-id", c["ClientId"])
    assert name == "ResourceNotFoundException"


# --- validation ----------------------------------------------------------

# Most cases go through boto3; a list of arguments (one case of each
# exception) goes through the AWS CLI.
@pytest.mark.parametrize("args,exception,text", [
    (["--explicit-auth-flows", "ADMIN_NO_SRP_AUTH", "ALLOW_USER_SRP_AUTH"],
     "InvalidParameterException", "ExplicitAuthFlows"),
    ({"ExplicitAuthFlows": ["NOT_A_FLOW"]},
     "InvalidParameterException", "enum value set"),
    ({"AccessTokenValidity": 4,
      "TokenValidityUnits": {"AccessToken": "minutes"}},
     "InvalidParameterException",
     "AccessTokenValidity must be between 5 minutes and 1 day"),
    ({"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
     "InvalidParameterException", "IdTokenValidity"),
    ({"AccessTokenValidity": 25}, "InvalidParameterException",
     "25 hours"),
    ({"RefreshTokenValidity": 59,
      "TokenValidityUnits": {"RefreshToken": "minutes"}},
     "InvalidParameterException",
     "RefreshTokenValidity must be between 60 minutes and 10 years"),
    ({"RefreshTokenValidity": 3651}, "InvalidParameterException",
     "RefreshTokenValidity"),
    ({"CallbackURLs": ["http://app.example.com/cb"]},
     "InvalidParameterException", "http://app.example.com/cb"),
    ({"CallbackURLs": ["https://app.example.com/cb#frag"]},
     "InvalidParameterException", "https://app.example.com/cb#frag"),
    ({"CallbackURLs": ["/relative/cb"]}, "InvalidParameterException",
     "/relative/cb"),
    ({"CallbackURLs": ["javascript:alert(1)"]},
     "InvalidParameterException", "javascript:alert(1)"),
    ({"LogoutURLs": ["http://evil.example/"]},
     "InvalidParameterException", "http://evil.example/"),
    ({"CallbackURLs": ["https://a.example/cb"],
      "DefaultRedirectURI": "https://b.example/cb"},
     "InvalidParameterException", "https://b.example/cb"),
    (["--allowed-o-auth-flows", "code", "--allowed-o-auth-scopes",
      "openid"], "InvalidOAuthFlowException",
     "AllowedOAuthFlowsUserPoolClient"),
    ({"AllowedOAuthFlows": ["client_credentials", "code"],
      "AllowedOAuthFlowsUserPoolClient": True, "GenerateSecret": True},
     "InvalidOAuthFlowException", "client_credentials"),
    ({"AllowedOAuthFlows": ["client_credentials"],
      "AllowedOAuthFlowsUserPoolClient": True},
     "InvalidOAuthFlowException", "client secret"),
    (["--allowed-o-auth-flows", "code", "--allowed-o-auth-scopes", "foo",
      "--allowed-o-auth-flows-user-pool-client"],
     "ScopeDoesNotExistException", "foo"),
    ({"AllowedOAuthFlows": ["code"],
      "AllowedOAuthScopes": ["https://api.example.com/read"],
      "AllowedOAuthFlowsUserPoolClient": True},
     "ScopeDoesNotExistException", "https://api.example.com/read"),
    ({"SupportedIdentityProviders": ["COGNITO", "Google"]},
     "InvalidParameterException", "The provider Google does not exist"),
    ({"WriteAttributes": ["sub"]}, "InvalidParameterException", "sub"),
    ({"ReadAttributes": ["shoe_size"]}, "InvalidParameterException",
     "shoe_size"),
    ({"ReadAttributes": ["custom:nosuch"]}, "InvalidParameterException",
     "custom:nosuch"),
])
def test_client_validation(server, pool, args, exception, text):
    if isinstance(args, dict):
        name, msg = boto_client_error(server, pool["Id"], **args)
    else:
        name, msg = client_error(server, pool["Id"], *args)
    assert name == exception, msg
    assert text in msg


@pytest.mark.parametrize("member,value,path", [
    ("AuthSessionValidity", 2, "authSessionValidity"),
    ("AccessTokenValidity", 0, "accessTokenValidity"),
    ("RefreshTokenValidity", 315360001, "refreshTokenValidity"),
    ("ClientName", "bad/name", "clientName"),
    ("AllowedOAuthScopes", ["bad scope"], "allowedOAuthScopes.1.member"),
    ("CallbackURLs", ["https://a.example/cb"] * 101, "callbackURLs"),
])
def test_client_shape_checks(server, pool, member, value, path):
    """Limits the CLI would catch itself, sent raw."""
    r = server.api("CreateUserPoolClient", {
        "UserPoolId": pool["Id"], "ClientName": "raw", member: value})
    assert r.status == 400, r
    body = r.json()
    assert body["__type"] == "InvalidParameterException", body
    assert "'%s'" % path in body["message"], body


def test_refresh_validity_zero_means_thirty_days(server, pool):
    c = create_client(server, pool["Id"], "--refresh-token-validity", "0")
    assert c["RefreshTokenValidity"] == 30
    assert c["TokenValidityUnits"]["RefreshToken"] == "days"
    c = create_client(server, pool["Id"], "--refresh-token-validity", "0",
                      "--token-validity-units", "RefreshToken=hours")
    assert c["RefreshTokenValidity"] == 720


def test_token_validity_in_the_units_given(server, pool):
    c = create_client(server, pool["Id"], "--access-token-validity", "300",
                      "--id-token-validity", "5", "--refresh-token-validity",
                      "3600", "--token-validity-units",
                      "AccessToken=seconds,IdToken=minutes,"
                      "RefreshToken=seconds")
    assert (c["AccessTokenValidity"], c["IdTokenValidity"],
            c["RefreshTokenValidity"]) == (300, 5, 3600)
    assert c["TokenValidityUnits"] == {"AccessToken": "seconds",
                                       "IdToken": "minutes",
                                       "RefreshToken": "seconds"}


def test_custom_attributes_from_the_pool_schema(server, schema_pool):
    pid = schema_pool["Id"]
    c = create_client(server, pid, "--read-attributes", "email",
                      "custom:plan", "custom:tenant", "--write-attributes",
                      "email", "custom:plan")
    assert c["ReadAttributes"] == ["email", "custom:plan", "custom:tenant"]
    assert c["WriteAttributes"] == ["email", "custom:plan"]
    name, msg = client_error(server, pid, "--write-attributes",
                             "custom:tenant")
    assert name == "InvalidParameterException"
    assert "custom:tenant" in msg


def test_validation_on_update_too(server, pool):
    c = create_client(server, pool["Id"])
    name, msg = server.aws_error(
        "update-user-pool-client", "--user-pool-id", pool["Id"],
        "--client-id", c["ClientId"], "--explicit-auth-flows",
        "USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
    assert name == "InvalidParameterException"
    name, msg = server.aws_error(
        "update-user-pool-client", "--user-pool-id", pool["Id"],
        "--client-id", c["ClientId"], "--allowed-o-auth-flows",
        "client_credentials", "--allowed-o-auth-flows-user-pool-client")
    assert name == "InvalidOAuthFlowException"
    assert "secret" in msg
    # Nothing changed.
    assert describe_client(server, pool["Id"], c["ClientId"]) == c


# --- resource servers ------------------------------------------------------

def create_rs(server, pool_id, identifier="https://api.example.com",
              name="notes-api", scopes=("read", "write")):
    args = ["create-resource-server", "--user-pool-id", pool_id,
            "--identifier", identifier, "--name", name]
    if scopes:
        args += ["--scopes"] + ["ScopeName=%s,ScopeDescription=%s access"
                                % (s, s) for s in scopes]
    return server.aws(*args)["ResourceServer"]


def test_resource_server_crud(server, pool):
    rs = create_rs(server, pool["Id"])
    assert rs == {"UserPoolId": pool["Id"],
                  "Identifier": "https://api.example.com",
                  "Name": "notes-api",
                  "Scopes": [{"ScopeName": "read",
                              "ScopeDescription": "read access"},
                             {"ScopeName": "write",
                              "ScopeDescription": "write access"}]}
    d = server.aws("describe-resource-server", "--user-pool-id", pool["Id"],
                   "--identifier", "https://api.example.com")
    assert d["ResourceServer"] == rs
    u = server.aws("update-resource-server", "--user-pool-id", pool["Id"],
                   "--identifier", "https://api.example.com", "--name",
                   "renamed", "--scopes",
                   "ScopeName=admin,ScopeDescription=all")["ResourceServer"]
    assert u["Name"] == "renamed"
    assert u["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "all"}]
    d = server.aws("describe-resource-server", "--user-pool-id", pool["Id"],
                   "--identifier", "https://api.example.com")
    assert d["ResourceServer"] == u
    server.aws("delete-resource-server", "--user-pool-id", pool["Id"],
               "--identifier", "https://api.example.com")
    name, _ = server.aws_error("describe-resource-server", "--user-pool-id",
                               pool["Id"], "--identifier",
                               "https://api.example.com")
    assert name == "ResourceNotFoundException"
    name, _ = server.aws_error("delete-resource-server", "--user-pool-id",
                               pool["Id"], "--identifier",
                               "https://api.example.com")
    assert name == "ResourceNotFoundException"


def test_resource_server_list_pages(server, pool):
    for i in range(3):
        create_rs(server, pool["Id"], identifier="rs%d" % i,
                  scopes=("s%d" % i,))
    cognito = server.boto3()
    r = cognito.list_resource_servers(UserPoolId=pool["Id"], MaxResults=2)
    assert [s["Identifier"] for s in r["ResourceServers"]] == ["rs0", "rs1"]
    r = cognito.list_resource_servers(UserPoolId=pool["Id"], MaxResults=2,
                                      NextToken=r["NextToken"])
    assert [s["Identifier"] for s in r["ResourceServers"]] == ["rs2"]
    assert "NextToken" not in r
    # With --page-size the CLI follows the tokens; with --max-results it
    # makes one call and hands the token back.
    out = server.aws("list-resource-servers", "--user-pool-id", pool["Id"],
                     "--page-size", "1")
    assert [s["Identifier"] for s in out["ResourceServers"]] == \
        ["rs0", "rs1", "rs2"]
    out = server.aws("list-resource-servers", "--user-pool-id", pool["Id"],
                     "--max-results", "1")
    assert [s["Identifier"] for s in out["ResourceServers"]] == ["rs0"]
    assert out["NextToken"]


def test_resource_server_rules(server, pool):
    create_rs(server, pool["Id"])
    name, msg = server.aws_error(
        "create-resource-server", "--user-pool-id", pool["Id"],
        "--identifier", "https://api.example.com", "--name", "again")
    assert name == "InvalidParameterException"
    assert "already exists" in msg
    name, msg = server.aws_error(
        "create-resource-server", "--user-pool-id", pool["Id"],
        "--identifier", "dup", "--name", "dup", "--scopes",
        "ScopeName=read,ScopeDescription=a",
        "ScopeName=read,ScopeDescription=b")
    assert name == "InvalidParameterException"
    assert "read" in msg
    name, _ = server.aws_error(
        "create-resource-server", "--user-pool-id", pool["Id"],
        "--identifier", "slash", "--name", "slash", "--scopes",
        "ScopeName=a/b,ScopeDescription=x")
    assert name == "InvalidParameterException"
    name, msg = server.aws_error(
        "create-resource-server", "--user-pool-id", "us-east-1_nosuch",
        "--identifier", "x", "--name", "x")
    assert (name, msg) == ("ResourceNotFoundException",
                           "User pool us-east-1_nosuch does not exist.")
    # The rest of the 25 allowed, made with boto3 (the CLI made the
    # first; a CLI process each would only repeat it).
    idp = server.boto3()
    for i in range(24):
        idp.create_resource_server(UserPoolId=pool["Id"],
                                   Identifier="n%d" % i, Name="notes-api")
    name, _ = server.aws_error(
        "create-resource-server", "--user-pool-id", pool["Id"],
        "--identifier", "one-too-many", "--name", "x")
    assert name == "LimitExceededException"


def test_client_with_custom_scopes(server, pool):
    create_rs(server, pool["Id"])
    c = create_client(
        server, pool["Id"], "--generate-secret",
        "--allowed-o-auth-flows", "client_credentials",
        "--allowed-o-auth-scopes", "https://api.example.com/read",
        "https://api.example.com/write",
        "--allowed-o-auth-flows-user-pool-client")
    assert c["AllowedOAuthScopes"] == ["https://api.example.com/read",
                                       "https://api.example.com/write"]
    assert SECRET.match(c["ClientSecret"])
    name, _ = client_error(
        server, pool["Id"], "--allowed-o-auth-flows", "code",
        "--allowed-o-auth-scopes", "openid", "https://api.example.com/delete",
        "--allowed-o-auth-flows-user-pool-client")
    assert name == "ScopeDoesNotExistException"
    name, _ = client_error(
        server, pool["Id"], "--generate-secret", "--allowed-o-auth-flows",
        "client_credentials", "--allowed-o-auth-scopes", "openid",
        "--allowed-o-auth-flows-user-pool-client")
    assert name == "InvalidOAuthFlowException"


# --- tags -------------------------------------------------------------------

def test_tag_untag_list(server, pool):
    arn = pool["Arn"]
    server.aws("tag-resource", "--resource-arn", arn, "--tags",
               "team=identity,env=dev")
    tags = server.aws("list-tags-for-resource", "--resource-arn", arn)
    assert tags["Tags"] == {"team": "identity", "env": "dev"}
    server.aws("tag-resource", "--resource-arn", arn, "--tags",
               "env=prod,empty=")
    server.aws("untag-resource", "--resource-arn", arn, "--tag-keys",
               "team", "nosuch")
    tags = server.aws("list-tags-for-resource", "--resource-arn", arn)
    assert tags["Tags"] == {"env": "prod", "empty": ""}
    d = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert d["UserPool"].get("UserPoolTags") == {"env": "prod", "empty": ""}


def test_tag_errors(server, pool):
    arn = pool["Arn"]
    other = arn.replace(":000000000000:", ":111111111111:")
    name, _ = server.aws_error("list-tags-for-resource", "--resource-arn",
                               "arn:aws:s3:::my-bucket-name-x")
    assert name == "InvalidParameterException"
    name, _ = server.aws_error("list-tags-for-resource", "--resource-arn",
                               other)
    assert name == "ResourceNotFoundException"
    name, _ = server.aws_error(
        "tag-resource", "--resource-arn",
        arn.rsplit("/", 1)[0] + "/us-east-1_nosuch", "--tags", "a=b")
    assert name == "ResourceNotFoundException"
    name, _ = server.aws_error("tag-resource", "--resource-arn", arn,
                               "--tags", "aws:owner=me")
    assert name == "InvalidParameterException"
    many = ",".join("k%d=v" % i for i in range(51))
    name, msg = server.aws_error("tag-resource", "--resource-arn", arn,
                                 "--tags", many)
    assert name == "InvalidParameterException"
    assert "50" in msg


# --- UI customization --------------------------------------------------------

def test_ui_customization_pool_and_client(server, pool, tmp_path):
    png = tmp_path / "logo.png"
    png.write_bytes(PNG)
    css = ".banner-customizable {background-color: #2244aa;}"
    u = server.aws("set-ui-customization", "--user-pool-id", pool["Id"],
                   "--css", css, "--image-file",
                   "fileb://%s" % png)["UICustomization"]
    assert u["UserPoolId"] == pool["Id"]
    assert u["ClientId"] == "ALL"
    assert u["CSS"] == css
    assert u["ImageUrl"].endswith("/%s/ui/ALL/logo" % pool["Id"])
    assert u["CSSVersion"]
    g = server.aws("get-ui-customization", "--user-pool-id",
                   pool["Id"])["UICustomization"]
    assert g == u
    image = psql(server, "SELECT encode(image, 'base64') FROM "
                 "ui_customizations WHERE pool_id = '%s'" % pool["Id"])
    assert base64.b64decode(image) == PNG

    c = create_client(server, pool["Id"])
    g = server.aws("get-ui-customization", "--user-pool-id", pool["Id"],
                   "--client-id", c["ClientId"])["UICustomization"]
    assert g["ClientId"] == "ALL" and g["CSS"] == css
    u = server.aws("set-ui-customization", "--user-pool-id", pool["Id"],
                   "--client-id", c["ClientId"], "--css",
                   ".label-customizable {font-weight: 400;}"
                   )["UICustomization"]
    assert u["ClientId"] == c["ClientId"]
    assert "ImageUrl" not in u
    g = server.aws("get-ui-customization", "--user-pool-id", pool["Id"],
                   "--client-id", c["ClientId"])["UICustomization"]
    assert g["CSS"] == ".label-customizable {font-weight: 400;}"
    server.aws("delete-user-pool-client", "--user-pool-id", pool["Id"],
               "--client-id", c["ClientId"])
    assert psql(server, "SELECT count(*) FROM ui_customizations WHERE "
                "client_id = '%s'" % c["ClientId"]).strip() == "0"


def test_ui_customization_without_any(server, pool):
    g = server.aws("get-ui-customization", "--user-pool-id",
                   pool["Id"])["UICustomization"]
    assert g == {"UserPoolId": pool["Id"], "ClientId": "ALL"}


def test_ui_customization_errors(server, pool, tmp_path):
    name, msg = server.aws_error("set-ui-customization", "--user-pool-id",
                                 pool["Id"], "--css",
                                 "a{}</style><script>alert(1)</script>")
    assert name == "InvalidParameterException"
    assert "<" in msg
    name, _ = server.aws_error("set-ui-customization", "--user-pool-id",
                               pool["Id"], "--client-id", "nosuchclient",
                               "--css", ".label-customizable {color: red;}")
    assert name == "ResourceNotFoundException"
    gif = tmp_path / "logo.gif"
    gif.write_bytes(b"GIF89a" + b"\0" * 32)
    name, msg = server.aws_error("set-ui-customization", "--user-pool-id",
                                 pool["Id"], "--image-file",
                                 "fileb://%s" % gif)
    assert name == "InvalidParameterException"
    assert "PNG" in msg
    big = tmp_path / "big.png"
    big.write_bytes(PNG + b"\0" * (100 * 1024))
    name, _ = server.aws_error("set-ui-customization", "--user-pool-id",
                               pool["Id"], "--image-file",
                               "fileb://%s" % big)
    assert name == "InvalidParameterException"
    name, _ = server.aws_error("get-ui-customization", "--user-pool-id",
                               "us-east-1_nosuch")
    assert name == "ResourceNotFoundException"


# Cognito's CSS template for the classic hosted UI: every class it lists.
CSS_TEMPLATE = """
.logo-customizable { max-width: 60%; max-height: 30%; }
.banner-customizable { padding: 25px 0px 25px 0px; background-color: lightgray; }
.label-customizable { font-weight: 400; }
.textDescription-customizable { padding-top: 10px; padding-bottom: 10px;
    display: block; font-size: 16px; }
.idpDescription-customizable { padding-top: 10px; padding-bottom: 10px;
    display: block; font-size: 16px; }
.legalText-customizable { color: #747474; font-size: 11px; }
.submitButton-customizable { font-size: 14px; font-weight: bold;
    margin: 20px 0px 10px 0px; height: 40px; width: 100%; color: #fff;
    background-color: #337ab7; }
.submitButton-customizable:hover { color: #fff; background-color: #286090; }
.errorMessage-customizable { padding: 5px; font-size: 14px; width: 100%;
    background: #F5F5F5; border: 2px solid #D64958; color: #D64958; }
.inputField-customizable { width: 100%; height: 34px; color: #555;
    background-color: #fff; border: 1px solid #ccc; }
.inputField-customizable:focus { border-color: #66afe9; outline: 0; }
.idpButton-customizable { height: 40px; width: 100%; text-align: center;
    margin-bottom: 15px; color: #2196f3; background-color: #fff;
    border-color: #2196f3; }
.idpButton-customizable:hover { color: #fff; background-color: #31b0d5; }
.socialButton-customizable { border-radius: 2px; height: 40px;
    margin-bottom: 15px; padding: 1px; text-align: left; width: 100%; }
.redirect-customizable { text-align: center; }
.passwordCheck-notValid-customizable { color: #DF3312; }
.passwordCheck-valid-customizable { color: #19BF00; }
.background-customizable { background-color: rgba(255, 255, 255, 0.9); }
"""


def test_ui_customization_css_is_checked_by_a_tokenizer(server, pool, idp):
    """Bug: only '<' was refused, so a pool's CSS could import other
    stylesheets, load images from anywhere (url()), run expression() in
    old browsers and restyle any element. Now only Cognito's classes and
    properties pass, with no at-rule, url(), other function or escape;
    the message names what was refused."""
    import botocore.exceptions
    u = idp.set_ui_customization(UserPoolId=pool["Id"],
                                 CSS=CSS_TEMPLATE)["UICustomization"]
    assert u["CSS"] == CSS_TEMPLATE
    for css, named in [
            ('@import url("https://evil.example/x.css");', "@import"),
            (".label-customizable{color:red}\n@media print{}", "@media"),
            (".banner-customizable{background: "
             "url(https://evil.example/x.png)}", "url()"),
            (".banner-customizable{background: url('data:x')}", "url("),
            (".banner-customizable{background: \\75 rl(//evil/x)}",
             "escapes"),
            (".banner-customizable{width: expression(alert(1))}",
             "expression("),
            (".banner-customizable{width: EXPRESSION(alert(1))}",
             "EXPRESSION("),
            (".banner-customizable{position: fixed}", "position"),
            (".banner-customizable{color: 'red'}", "strings"),
            ("body{display:none}", "body"),
            (".label-customizable input{color:red}", "combinators"),
            (".evil-customizable{color:red}", ".evil-customizable"),
            (".label-customizable{color:red} /* open", "comment"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.set_ui_customization(UserPoolId=pool["Id"], CSS=css)
        err = e.value.response["Error"]
        assert err["Code"] == "InvalidParameterException", css
        assert named in err["Message"] and "line" in err["Message"], (
            css, err["Message"])
    # Nothing refused was stored: the template is still there.
    g = idp.get_ui_customization(UserPoolId=pool["Id"])["UICustomization"]
    assert g["CSS"] == CSS_TEMPLATE
    # The AWS CLI gets the same answer.
    name, msg = server.aws_error("set-ui-customization", "--user-pool-id",
                                 pool["Id"], "--css",
                                 "@import 'https://evil.example/x.css';")
    assert name == "InvalidParameterException" and "@import" in msg
