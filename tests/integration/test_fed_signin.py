"""What a federated sign-in does to the user directory (core/federation.c),
driven against the test daemon's own database by the test driver
tests/integration/fed_signin (built with the daemon, not part of it),
until a hosted federation flow drives the same function over the wire;
the directory is then read through the API with boto3 and the AWS CLI.

First sign-in: the user <ProviderName>_<subject>, status
EXTERNAL_PROVIDER, a new sub, the identities attribute as Cognito writes
it, the mapped attributes (email_verified only when mapped; a SAML
attribute of several values as "[a, b]"), membership of the group
<UserPoolId>_<ProviderName> (made when missing). A later sign-in keeps
the sub and updates the mapped mutable attributes. A required attribute
that is not mapped writes nothing. Eight first sign-ins at once make one
user. A linked identity (AdminLinkProviderForUser by Cognito_Subject or
by another attribute) signs in as the native user and makes no user of
its own; a disabled user, or an identity whose federated user
AdminDisableProviderForUser disabled, is refused; a native user holding
the name is never taken over."""
import base64
import json
import os
import subprocess
import uuid

import pytest

from conftest import (attrs_of, error_of, make_client, make_user,
                      userpoold_bin)
from test_fed_link import link, source


def driver():
    path = os.path.join(os.path.dirname(os.path.dirname(userpoold_bin())),
                        "tests", "integration", "fed_signin")
    if not os.path.exists(path):
        pytest.skip("the fed_signin driver is not built")
    return path


def sign_in(server, pool_id, provider, subject, claims=None, mapping=None,
            ptype=None, issuer=None, times=1, tokens=None):
    """Run the federated sign-in `times` times at once; the lines. With
    tokens (an app client id), the driver also issues the user's tokens
    for that client with the daemon's keys (a line's "tokens")."""
    ident = {"provider_name": provider,
             "provider_type": ptype or provider, "issuer": issuer,
             "subject": subject, "claims": claims or {},
             "mapping": mapping or {}}
    conninfo = "host=%s dbname=%s user=postgres" % (server.pg_socket(),
                                                     server.pg_dbname())
    env = dict(os.environ)
    if tokens:
        env.update(FED_SIGNIN_STATE_DIR=server.state_dir,
                   FED_SIGNIN_PUBLIC_URL=server.https,
                   FED_SIGNIN_CLIENT=tokens)
    out = subprocess.run([driver(), conninfo, pool_id, json.dumps(ident),
                          str(times)], check=True, capture_output=True,
                         text=True, timeout=60, env=env)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == times, out.stderr
    return lines if times > 1 else lines[0]


def get_user(idp, pool_id, username):
    return idp.admin_get_user(UserPoolId=pool_id, Username=username)


def missing(idp, pool_id, username):
    with pytest.raises(Exception) as excinfo:
        get_user(idp, pool_id, username)
    return error_of(excinfo)[0] == "UserNotFoundException"


GOOGLE_MAP = {"email": "email", "email_verified": "email_verified",
              "name": "name", "username": "sub"}


@pytest.fixture
def tenant_pool(make_pool):
    """A pool with an immutable custom attribute and a mutable one."""
    return make_pool(Schema=[
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": False},
        {"Name": "groups", "AttributeDataType": "String", "Mutable": True},
    ])


def test_first_and_later_sign_in(server, idp, tenant_pool):
    pid = tenant_pool["Id"]
    sub = "1117%s" % uuid.uuid4().int
    claims = {"sub": sub, "email": "G@Example.com", "email_verified": True,
              "name": "Gee", "tenant": "acme"}
    mapping = dict(GOOGLE_MAP, **{"custom:tenant": "tenant"})
    first = sign_in(server, pid, "Google", sub, claims, mapping)
    assert first["ok"], first
    assert first["created"] and not first["linked"]
    assert first["username"] == "Google_" + sub
    assert first["status"] == "EXTERNAL_PROVIDER" and first["enabled"]

    got = get_user(idp, pid, "Google_" + sub)
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
    attrs = attrs_of(got)
    assert attrs["sub"] == first["sub"] != sub
    assert attrs["email"] == "G@Example.com"
    assert attrs["email_verified"] == "true"
    assert attrs["name"] == "Gee"
    assert attrs["custom:tenant"] == "acme"
    ids = json.loads(attrs["identities"])
    assert len(ids) == 1
    assert list(ids[0]) == ["userId", "providerName", "providerType",
                            "issuer", "primary", "dateCreated"]
    assert ids[0]["userId"] == sub and ids[0]["providerName"] == "Google"
    assert ids[0]["providerType"] == "Google" and ids[0]["issuer"] is None
    assert ids[0]["primary"] is True
    assert isinstance(ids[0]["dateCreated"], int)

    groups = idp.admin_list_groups_for_user(UserPoolId=pid,
                                            Username="Google_" + sub)
    assert [g["GroupName"] for g in groups["Groups"]] == [pid + "_Google"]
    listed = server.aws("list-users", "--user-pool-id", pid)["Users"]
    assert [(u["Username"], u["UserStatus"]) for u in listed] == [
        ("Google_" + sub, "EXTERNAL_PROVIDER")]

    # A later sign-in: the same user, mapped mutable attributes updated,
    # the immutable one and the identities kept.
    claims.update(email="new@example.com", name="Gee Two", tenant="other")
    later = sign_in(server, pid, "Google", sub, claims, mapping)
    assert later["ok"] and not later["created"]
    assert later["sub"] == first["sub"]
    attrs = attrs_of(get_user(idp, pid, "Google_" + sub))
    assert attrs["email"] == "new@example.com"
    assert attrs["name"] == "Gee Two"
    assert attrs["custom:tenant"] == "acme"
    assert json.loads(attrs["identities"]) == ids


def test_unmapped_verified_flag_and_saml_values(server, idp, tenant_pool):
    """email_verified only when mapped; a SAML attribute of several
    values as one string; the issuer in identities."""
    pid = tenant_pool["Id"]
    out = sign_in(server, pid, "Okta", "alice@corp", ptype="SAML",
                  issuer="http://www.okta.com/exk1",
                  claims={"mail": "alice@corp.example",
                          "memberOf": ["admins", "staff"]},
                  mapping={"email": "mail", "custom:groups": "memberOf"})
    assert out["ok"], out
    attrs = attrs_of(get_user(idp, pid, "Okta_alice@corp"))
    assert attrs["email"] == "alice@corp.example"
    assert "email_verified" not in attrs
    assert attrs["custom:groups"] == "[admins, staff]"
    ident = json.loads(attrs["identities"])[0]
    assert ident["providerType"] == "SAML"
    assert ident["issuer"] == "http://www.okta.com/exk1"


def test_required_attribute_not_mapped(server, idp, make_pool):
    pool = make_pool(Schema=[{"Name": "email", "AttributeDataType": "String",
                              "Required": True, "Mutable": True}])
    pid = pool["Id"]
    out = sign_in(server, pid, "Google", "999", {"sub": "999", "name": "N"},
                  {"name": "name"})
    assert out == {"ok": False, "kind": "invalid",
                   "message": "attributes required: [email]"}
    assert missing(idp, pid, "Google_999")
    assert idp.list_groups(UserPoolId=pid)["Groups"] == []
    # A value the schema refuses writes nothing either.
    out = sign_in(server, pid, "Google", "999", {"mail": "not-an-address"},
                  {"email": "mail"})
    assert not out["ok"] and out["kind"] == "invalid"
    assert missing(idp, pid, "Google_999")
    out = sign_in(server, pid, "Google", "999", {"mail": "a@b.example"},
                  {"email": "mail"})
    assert out["ok"] and out["created"]


def test_concurrent_first_sign_ins(server, idp, pool):
    pid = pool["Id"]
    lines = sign_in(server, pid, "Facebook", "10158", {"email":
                    "fb@example.com"}, {"email": "email"}, times=8)
    assert all(line["ok"] for line in lines), lines
    assert len({line["sub"] for line in lines}) == 1
    assert sum(1 for line in lines if line["created"]) == 1
    users = idp.list_users(UserPoolId=pid)["Users"]
    assert [u["Username"] for u in users] == ["Facebook_10158"]
    members = idp.list_users_in_group(UserPoolId=pid,
                                      GroupName=pid + "_Facebook")
    assert [u["Username"] for u in members["Users"]] == ["Facebook_10158"]


def test_linked_identity_signs_in_as_native_user(server, idp, pool):
    pid = pool["Id"]
    native = make_user(idp, pid)
    native_sub = attrs_of(get_user(idp, pid, native))["sub"]
    link(idp, pid, native, source("Google", "2001"))
    out = sign_in(server, pid, "Google", "2001", {"email": "x@example.com"},
                  {"email": "email"})
    assert out["ok"] and out["linked"] and not out["created"]
    assert out["username"] == native and out["sub"] == native_sub
    assert missing(idp, pid, "Google_2001")
    # By another attribute of the identity (a SAML attribute of several
    # values holding the linked one).
    link(idp, pid, native, source("Corp", "n@corp.example", "upn"))
    out = sign_in(server, pid, "Corp", "opaque-name-id", ptype="SAML",
                  claims={"upn": ["old@corp.example", "n@corp.example"]})
    assert out["ok"] and out["linked"] and out["sub"] == native_sub
    assert missing(idp, pid, "Corp_opaque-name-id")
    # A disabled destination is refused.
    idp.admin_disable_user(UserPoolId=pid, Username=native)
    out = sign_in(server, pid, "Google", "2001")
    assert out == {"ok": False, "kind": "not_authorized",
                   "message": "User is disabled."}


def test_disabled_users_are_refused(server, idp, pool):
    pid = pool["Id"]
    assert sign_in(server, pid, "Google", "3001")["ok"]
    idp.admin_disable_user(UserPoolId=pid, Username="Google_3001")
    out = sign_in(server, pid, "Google", "3001")
    assert out["kind"] == "not_authorized"
    idp.admin_enable_user(UserPoolId=pid, Username="Google_3001")
    assert sign_in(server, pid, "Google", "3001")["ok"]
    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User={"ProviderName": "Google",
                              "ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": "3001"})
    assert sign_in(server, pid, "Google", "3001")["kind"] == \
        "not_authorized"


def test_native_name_and_bad_input(server, idp, pool):
    pid = pool["Id"]
    make_user(idp, pid, username="Google_4001")
    out = sign_in(server, pid, "Google", "4001", {"email": "a@b.example"},
                  {"email": "email"})
    assert out["kind"] == "user_exists"
    got = get_user(idp, pid, "Google_4001")
    assert got["UserStatus"] == "CONFIRMED"
    assert "email" not in attrs_of(got)
    assert sign_in(server, "us-east-1_nosuch", "Google", "1")["kind"] == \
        "no_resource"
    assert sign_in(server, pid, "Google", "")["kind"] == "invalid"
    assert sign_in(server, pid, "Cognito", "1", ptype="OIDC")["kind"] == \
        "invalid"


def test_sign_up_beside_federated_user(server, idp, make_pool):
    """In a pool that signs in by e-mail, a federated user's e-mail does
    not stop a native sign-up with the same address (the two are apart
    until linked), while a native user's still does."""
    pool = make_pool(UsernameAttributes=["email"],
                     AutoVerifiedAttributes=["email"])
    pid = pool["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="web")["UserPoolClient"]["ClientId"]
    assert sign_in(server, pid, "Google", "5001",
                   {"email": "both@example.com"}, {"email": "email"})["ok"]
    out = idp.sign_up(ClientId=client, Username="both@example.com",
                      Password="Corr3ct-Horse!")
    assert out["UserConfirmed"] is False
    with pytest.raises(Exception) as excinfo:
        idp.sign_up(ClientId=client, Username="both@example.com",
                    Password="Corr3ct-Horse!")
    assert error_of(excinfo)[0] == "UsernameExistsException"
    statuses = sorted(u["UserStatus"] for u in
                      idp.list_users(UserPoolId=pid)["Users"])
    assert statuses == ["EXTERNAL_PROVIDER", "UNCONFIRMED"]


def claims_of(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_tokens_of_federated_user(server, idp, pool):
    """The tokens core/tokens.c issues for the outcome's user, as a flow
    hands it over: the ID token carries cognito:username, identities (an
    array, primary and dateCreated as strings) and cognito:groups with
    the provider's group; the daemon takes the access token (GetUser)."""
    pid = pool["Id"]
    client = make_client(idp, pid)["ClientId"]
    out = sign_in(server, pid, "Google", "6001",
                  {"email": "t@example.com", "email_verified": True},
                  {"email": "email", "email_verified": "email_verified"},
                  tokens=client)
    assert out["ok"] and "tokens" in out, out
    idt = claims_of(out["tokens"]["IdToken"])
    assert idt["iss"] == "%s/%s" % (server.https, pid)
    assert idt["sub"] == out["sub"] and idt["aud"] == client
    assert idt["cognito:username"] == "Google_6001"
    assert idt["cognito:groups"] == [pid + "_Google"]
    assert idt["email"] == "t@example.com"
    assert idt["email_verified"] is True
    ident = idt["identities"]
    assert isinstance(ident, list) and len(ident) == 1
    assert ident[0]["userId"] == "6001"
    assert ident[0]["providerName"] == "Google"
    assert ident[0]["providerType"] == "Google"
    assert ident[0]["issuer"] is None
    assert ident[0]["primary"] == "true"
    assert ident[0]["dateCreated"].isdigit()
    at = claims_of(out["tokens"]["AccessToken"])
    assert at["username"] == "Google_6001"
    assert at["cognito:groups"] == [pid + "_Google"]
    me = idp.get_user(AccessToken=out["tokens"]["AccessToken"])
    assert me["Username"] == "Google_6001"
    assert json.loads(attrs_of(me)["identities"])[0]["userId"] == "6001"


def test_attribute_link_becomes_subject_link(server, idp, pool):
    """A link by another attribute (SAML), once used to sign in, is named
    by Cognito_Subject and the assertion's subject, as Cognito's
    AdminDisableProviderForUser documents: the identities element shows
    the subject, the old name no longer finds the link, the subject
    does, and the identity then signs in as a user of its own."""
    pid = pool["Id"]
    native = make_user(idp, pid)
    link(idp, pid, native, source("Corp", "n@corp.example", "upn"))
    out = sign_in(server, pid, "Corp", "name-id-7", ptype="SAML",
                  claims={"upn": "n@corp.example"})
    assert out["ok"] and out["linked"]
    ident = json.loads(out["attributes"]["identities"])
    assert [(i["providerName"], i["userId"]) for i in ident] == [
        ("Corp", "name-id-7")]
    stored = json.loads(attrs_of(get_user(idp, pid, native))["identities"])
    assert stored == ident
    # Signing in again still finds the link, now by the subject.
    out = sign_in(server, pid, "Corp", "name-id-7", ptype="SAML")
    assert out["ok"] and out["linked"] and out["username"] == native
    with pytest.raises(Exception) as excinfo:
        idp.admin_disable_provider_for_user(
            UserPoolId=pid, User={"ProviderName": "Corp",
                                  "ProviderAttributeName": "upn",
                                  "ProviderAttributeValue": "n@corp.example"})
    assert error_of(excinfo)[0] == "UserNotFoundException"
    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User={"ProviderName": "Corp",
                              "ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": "name-id-7"})
    assert "identities" not in attrs_of(get_user(idp, pid, native))
    out = sign_in(server, pid, "Corp", "name-id-7", ptype="SAML",
                  claims={"upn": "n@corp.example"})
    assert out["ok"] and out["created"]
    assert out["username"] == "Corp_name-id-7"


def test_linked_sign_in_writes_mapped_attributes(server, idp, pool):
    """A linked sign-in writes the mapped mutable attributes to the
    native user, as an administrator's update: the same e-mail address
    keeps its verification, a new one is unverified unless
    email_verified is mapped too; the ID token of that sign-in carries
    the new values."""
    pid = pool["Id"]
    native = make_user(idp, pid, email="same@example.com")
    client = make_client(idp, pid)["ClientId"]
    link(idp, pid, native, source("Google", "7001"))
    mapping = {"email": "email", "name": "name"}
    out = sign_in(server, pid, "Google", "7001",
                  {"email": "same@example.com", "name": "Linked"}, mapping)
    assert out["ok"] and out["linked"] and out["username"] == native
    attrs = attrs_of(get_user(idp, pid, native))
    assert attrs["name"] == "Linked"
    assert attrs["email"] == "same@example.com"
    assert attrs["email_verified"] == "true"
    out = sign_in(server, pid, "Google", "7001",
                  {"email": "moved@example.com", "name": "Linked"}, mapping,
                  tokens=client)
    assert out["ok"] and out["linked"]
    attrs = attrs_of(get_user(idp, pid, native))
    assert attrs["email"] == "moved@example.com"
    assert attrs["email_verified"] == "false"
    idt = claims_of(out["tokens"]["IdToken"])
    assert idt["email"] == "moved@example.com"
    assert idt["email_verified"] is False
    assert idt["identities"][0]["userId"] == "7001"
    out = sign_in(server, pid, "Google", "7001",
                  {"email": "again@example.com", "verified": "true"},
                  dict(mapping, email_verified="verified"))
    attrs = attrs_of(get_user(idp, pid, native))
    assert attrs["email"] == "again@example.com"
    assert attrs["email_verified"] == "true"
    assert attrs["name"] == "Linked"
