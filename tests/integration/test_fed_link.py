"""Links of external provider identities to users of a pool
(AdminLinkProviderForUser, AdminDisableProviderForUser), driven with
the AWS CLI (each operation once) and boto3: the link shows in the
destination's identities attribute (AdminGetUser, ListUsers) and in its
ID token as Cognito's array claim; the errors Cognito answers (no pool,
no user, a destination that is not a native user, a source that is
taken, linked already or a federated user already, more than five links,
malformed users); two links of one identity at once end in one; and
AdminDisableProviderForUser removes a link and disables the identity's
own federated user.

Until the hosted federation flow lands, a federated user that already
signed in is written with SQL (the row core/federation.c writes: status
EXTERNAL_PROVIDER, its identities attribute, the group
<UserPoolId>_<ProviderName>), so the directory's answers about it
(AdminGetUser, ListUsers and its status filter) are tested here too."""
import base64
import json
import threading
import uuid

import pytest

from conftest import (PASSWORD, attrs_of, error_of, make_client, make_user,
                      psql)
from test_idp_api import METADATA

NOSUCH = "us-east-1_nosuch"


def cognito_user(username):
    return {"ProviderName": "Cognito", "ProviderAttributeValue": username}


def source(provider, value, name="Cognito_Subject"):
    return {"ProviderName": provider, "ProviderAttributeName": name,
            "ProviderAttributeValue": value}


def link(idp, pool_id, username, src):
    return idp.admin_link_provider_for_user(
        UserPoolId=pool_id, DestinationUser=cognito_user(username),
        SourceUser=src)


def identities_of(idp, pool_id, username):
    """The identities attribute of AdminGetUser, parsed; None without."""
    attrs = attrs_of(idp.admin_get_user(UserPoolId=pool_id,
                                        Username=username))
    return json.loads(attrs["identities"]) if "identities" in attrs else None


def boto_error(call, **kw):
    with pytest.raises(Exception) as excinfo:
        call(**kw)
    return error_of(excinfo)


def claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def federated_user(server, pool_id, provider, subject, email):
    """A user as a first federated sign-in writes it (see the module's
    docstring); its username."""
    username = "%s_%s" % (provider, subject)
    ident = json.dumps([{"userId": subject, "providerName": provider,
                         "providerType": provider, "issuer": None,
                         "primary": True, "dateCreated": 1700000000000}],
                       separators=(",", ":"))
    attrs = json.dumps({"email": email, "identities": ident})
    group = "%s_%s" % (pool_id, provider)
    psql(server,
         "INSERT INTO groups (pool_id, name) VALUES ('%s', '%s') "
         "ON CONFLICT DO NOTHING; "
         "INSERT INTO users (pool_id, sub, username, username_key, status, "
         "attributes) VALUES ('%s', '%s', '%s', lower('%s'), "
         "'EXTERNAL_PROVIDER', '%s'::jsonb); "
         "INSERT INTO user_groups (pool_id, sub, group_name) SELECT pool_id, "
         "sub, '%s' FROM users WHERE pool_id = '%s' AND username = '%s'"
         % (pool_id, group, pool_id, uuid.uuid4(), username, username,
            attrs.replace("'", "''"), group, pool_id, username))
    return username


def test_link_shows_in_identities_and_token(server, idp, pool):
    """The CLI links a Google identity by its subject; AdminGetUser and
    ListUsers show it in identities, and the user's ID token carries it
    as an array with primary and dateCreated as strings."""
    pid = pool["Id"]
    client = make_client(idp, pid)
    user = make_user(idp, pid)
    out = server.aws("admin-link-provider-for-user", "--user-pool-id", pid,
                     "--destination-user",
                     "ProviderName=Cognito,ProviderAttributeValue=" + user,
                     "--source-user",
                     "ProviderName=Google,ProviderAttributeName="
                     "Cognito_Subject,ProviderAttributeValue=1117001")
    assert out == {}
    ids = identities_of(idp, pid, user)
    assert len(ids) == 1
    assert list(ids[0]) == ["userId", "providerName", "providerType",
                            "issuer", "primary", "dateCreated"]
    assert ids[0]["userId"] == "1117001"
    assert ids[0]["providerName"] == "Google"
    assert ids[0]["providerType"] == "Google"
    assert ids[0]["issuer"] is None
    assert isinstance(ids[0]["dateCreated"], int)
    listed = idp.list_users(UserPoolId=pid)["Users"]
    row = [u for u in listed if u["Username"] == user][0]
    assert json.loads(attrs_of(row)["identities"]) == ids
    assert row["UserStatus"] == "CONFIRMED"
    tokens = idp.admin_initiate_auth(
        UserPoolId=pid, ClientId=client["ClientId"],
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    c = claims(tokens["IdToken"])
    assert c["cognito:username"] == user
    assert c["identities"] == [dict(ids[0], primary=str(ids[0]["primary"])
                                    .lower(),
                                    dateCreated=str(ids[0]["dateCreated"]))]
    assert "identities" not in claims(tokens["AccessToken"])


def test_second_link_keeps_order(idp, pool):
    """A second identity (a SAML provider, linked by an attribute of its
    assertion) is appended; disabling the first leaves the second."""
    pid = pool["Id"]
    user = make_user(idp, pid)
    link(idp, pid, user, source("Facebook", "10158"))
    link(idp, pid, user, source("Okta", "a@example.com", name="email"))
    ids = identities_of(idp, pid, user)
    assert [(i["providerName"], i["userId"]) for i in ids] == [
        ("Facebook", "10158"), ("Okta", "a@example.com")]
    assert ids[0]["providerType"] == "Facebook"
    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User=source("Facebook", "10158"))
    ids = identities_of(idp, pid, user)
    assert [(i["providerName"], i["userId"]) for i in ids] == [
        ("Okta", "a@example.com")]
    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User=source("Okta", "a@example.com", name="email"))
    assert identities_of(idp, pid, user) is None
    # The user itself is untouched.
    got = idp.admin_get_user(UserPoolId=pid, Username=user)
    assert got["Enabled"] is True and got["UserStatus"] == "CONFIRMED"


def test_link_errors(server, idp, pool):
    pid = pool["Id"]
    user = make_user(idp, pid)
    other = make_user(idp, pid)
    fed = federated_user(server, pid, "Google", "2220001",
                         "fed@example.com")
    call = idp.admin_link_provider_for_user
    assert boto_error(call, UserPoolId=NOSUCH,
                      DestinationUser=cognito_user(user),
                      SourceUser=source("Google", "1"))[0] == \
        "ResourceNotFoundException"
    assert boto_error(call, UserPoolId=pid,
                      DestinationUser=cognito_user("nobody"),
                      SourceUser=source("Google", "1")) == \
        ("UserNotFoundException", "User does not exist.")
    bad = [
        # The destination must be a native user, named.
        ({"ProviderName": "Google", "ProviderAttributeValue": user},
         source("Google", "1")),
        ({"ProviderName": "Cognito"}, source("Google", "1")),
        (cognito_user(fed), source("Facebook", "1")),
        # The source must be an external identity, fully named.
        (cognito_user(user), source("Cognito", user)),
        (cognito_user(user), {"ProviderName": "Google",
                              "ProviderAttributeValue": "1"}),
        (cognito_user(user), {"ProviderName": "Google",
                              "ProviderAttributeName": "Cognito_Subject"}),
        (cognito_user(user), {"ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": "1"}),
    ]
    for dest, src in bad:
        code = boto_error(call, UserPoolId=pid, DestinationUser=dest,
                          SourceUser=src)[0]
        assert code == "InvalidParameterException", (dest, src)
    assert boto_error(call, UserPoolId=pid,
                      DestinationUser=cognito_user(user),
                      SourceUser=source("Cognito", other)) == (
        "InvalidParameterException",
        "Invalid SourceUser: Cognito users with a username/password may "
        "not be passed in as a SourceUser, only as a DestinationUser")
    # A federated user of the identity exists already.
    assert boto_error(call, UserPoolId=pid,
                      DestinationUser=cognito_user(user),
                      SourceUser=source("Google", "2220001"))[0] == \
        "AliasExistsException"
    # Linked already: to another user, and to the same one again.
    link(idp, pid, other, source("Google", "3330001"))
    for dest in (user, other):
        assert boto_error(call, UserPoolId=pid,
                          DestinationUser=cognito_user(dest),
                          SourceUser=source("Google", "3330001"))[0] == \
            "AliasExistsException"
    # Nothing of the refused links was written.
    assert identities_of(idp, pid, user) is None
    assert len(identities_of(idp, pid, other)) == 1
    # The CLI shows the exception by name.
    err = server.aws_error(
        "admin-link-provider-for-user", "--user-pool-id", pid,
        "--destination-user", "ProviderName=Cognito,ProviderAttributeValue="
        + user, "--source-user", "ProviderName=Google,ProviderAttributeName="
        "Cognito_Subject,ProviderAttributeValue=3330001")
    assert err[0] == "AliasExistsException"


def test_at_most_five_links(idp, pool):
    pid = pool["Id"]
    user = make_user(idp, pid)
    for i in range(5):
        link(idp, pid, user, source("Prov%d" % i, "s%d" % i))
    assert boto_error(idp.admin_link_provider_for_user, UserPoolId=pid,
                      DestinationUser=cognito_user(user),
                      SourceUser=source("Prov5", "s5"))[0] == \
        "LimitExceededException"
    assert len(identities_of(idp, pid, user)) == 5


def test_concurrent_links_of_one_identity(server, pool):
    """Eight links of one identity to eight users at once: one wins,
    the others are AliasExistsException, one identities entry in all."""
    pid = pool["Id"]
    idp = server.boto3()
    users = [make_user(idp, pid) for _ in range(8)]
    results = [None] * len(users)

    def run(i):
        client = server.boto3()
        try:
            link(client, pid, users[i], source("Google", "4440001"))
            results[i] = "ok"
        except Exception as e:  # noqa: BLE001 - the code is the point
            results[i] = e.response["Error"]["Code"]

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert results.count("AliasExistsException") == len(users) - 1, results
    linked = [u for u in users if identities_of(idp, pid, u)]
    assert len(linked) == 1


def test_concurrent_links_to_one_user_stop_at_five(server, pool):
    """Ten identities linked to one user at once: five links, the
    others LimitExceededException (the user's row is locked first)."""
    pid = pool["Id"]
    idp = server.boto3()
    user = make_user(idp, pid)
    results = [None] * 10

    def run(i):
        client = server.boto3()
        try:
            link(client, pid, user, source("Prov%d" % i, "c%d" % i))
            results[i] = "ok"
        except Exception as e:  # noqa: BLE001 - the code is the point
            results[i] = e.response["Error"]["Code"]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 5, results
    assert results.count("LimitExceededException") == 5, results
    assert len(identities_of(idp, pid, user)) == 5


def test_federated_user_in_directory(server, idp, pool):
    """A federated user shows as EXTERNAL_PROVIDER in AdminGetUser and
    ListUsers (and its status filter), in its provider's group; it
    cannot be a link's destination."""
    pid = pool["Id"]
    make_user(idp, pid)
    fed = federated_user(server, pid, "Google", "5550001", "g@example.com")
    got = idp.admin_get_user(UserPoolId=pid, Username=fed)
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
    assert json.loads(attrs_of(got)["identities"])[0]["userId"] == "5550001"
    out = server.aws("list-users", "--user-pool-id", pid, "--filter",
                     'cognito:user_status = "EXTERNAL_PROVIDER"')
    assert [u["Username"] for u in out["Users"]] == [fed]
    assert out["Users"][0]["UserStatus"] == "EXTERNAL_PROVIDER"
    groups = idp.admin_list_groups_for_user(UserPoolId=pid, Username=fed)
    assert [g["GroupName"] for g in groups["Groups"]] == [pid + "_Google"]


def test_disable_provider(server, idp, pool):
    """AdminDisableProviderForUser removes a link (the identity may be
    linked again elsewhere), disables the identity's own federated user
    (its refresh tokens go too), disables a native user named through
    Cognito, and answers UserNotFoundException when there is nothing."""
    pid = pool["Id"]
    a = make_user(idp, pid)
    b = make_user(idp, pid)
    link(idp, pid, a, source("Google", "6660001"))
    out = server.aws("admin-disable-provider-for-user", "--user-pool-id",
                     pid, "--user", "ProviderName=Google,ProviderAttribute"
                     "Name=Cognito_Subject,ProviderAttributeValue=6660001")
    assert out == {}
    assert identities_of(idp, pid, a) is None
    assert idp.admin_get_user(UserPoolId=pid, Username=a)["Enabled"] is True
    link(idp, pid, b, source("Google", "6660001"))
    assert identities_of(idp, pid, b)[0]["userId"] == "6660001"

    fed = federated_user(server, pid, "Facebook", "7770001", "f@example.com")
    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User=source("Facebook", "7770001"))
    got = idp.admin_get_user(UserPoolId=pid, Username=fed)
    assert got["Enabled"] is False
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"

    idp.admin_disable_provider_for_user(
        UserPoolId=pid, User=source("Cognito", a))
    assert idp.admin_get_user(UserPoolId=pid, Username=a)["Enabled"] is False

    call = idp.admin_disable_provider_for_user
    assert boto_error(call, UserPoolId=pid,
                      User=source("Google", "nobody"))[0] == \
        "UserNotFoundException"
    assert boto_error(call, UserPoolId=NOSUCH,
                      User=source("Google", "1"))[0] == \
        "ResourceNotFoundException"
    assert boto_error(call, UserPoolId=pid,
                      User={"ProviderName": "Google"})[0] == \
        "InvalidParameterException"


def test_deleted_destination_drops_its_links(idp, pool):
    pid = pool["Id"]
    a = make_user(idp, pid)
    b = make_user(idp, pid)
    link(idp, pid, a, source("Google", "8880001"))
    idp.admin_delete_user(UserPoolId=pid, Username=a)
    link(idp, pid, b, source("Google", "8880001"))
    assert identities_of(idp, pid, b)[0]["userId"] == "8880001"


def test_provider_type_and_deleted_provider(idp, pool):
    """The identities element names the ProviderType of the pool's
    provider of that name (SAML here); deleting the provider leaves the
    user and its link in place, as Cognito does."""
    pid = pool["Id"]
    idp.create_identity_provider(
        UserPoolId=pid, ProviderName="Corp", ProviderType="SAML",
        ProviderDetails={"MetadataFile": METADATA},
        AttributeMapping={"email": "mail"})
    user = make_user(idp, pid)
    link(idp, pid, user, source("Corp", "name-id-1"))
    ids = identities_of(idp, pid, user)
    assert [(i["providerName"], i["providerType"]) for i in ids] == [
        ("Corp", "SAML")]
    idp.delete_identity_provider(UserPoolId=pid, ProviderName="Corp")
    assert identities_of(idp, pid, user) == ids
    assert boto_error(idp.admin_link_provider_for_user, UserPoolId=pid,
                      DestinationUser=cognito_user(make_user(idp, pid)),
                      SourceUser=source("Corp", "name-id-1"))[0] == \
        "AliasExistsException"
