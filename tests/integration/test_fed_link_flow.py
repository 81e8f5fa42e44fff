"""Linking end to end (issue 11, point 4): sign-ins through a real OpenID
Connect provider (oidc-provider, idp_servers.py) at a pool domain, with
the provider's identity linked to a native user by
AdminLinkProviderForUser, then unlinked by AdminDisableProviderForUser.

A linked identity's sign-in yields the native user's tokens (its sub and
username, the link in identities) and makes no user of its own; once
the link is removed the identity signs in as a federated user of its
own (<ProviderName>_<sub>, EXTERNAL_PROVIDER, in the group
<UserPoolId>_<ProviderName>); AdminDisableProviderForUser then disables
that user and its next sign-in is refused at the application's
redirect_uri, never with a code; deleting the provider leaves the user
in place."""
import uuid

from conftest import attrs_of, make_user
from idp_servers import Browser, oidc_idp, oidc_idp_server  # noqa: F401
from test_fed_oidc import fed  # noqa: F401


def link(f, username, subject):
    f.idp.admin_link_provider_for_user(
        UserPoolId=f.pool_id,
        DestinationUser={"ProviderName": "Cognito",
                         "ProviderAttributeValue": username},
        SourceUser={"ProviderName": "Corp",
                    "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": subject})


def disable(f, subject):
    f.idp.admin_disable_provider_for_user(
        UserPoolId=f.pool_id,
        User={"ProviderName": "Corp",
              "ProviderAttributeName": "Cognito_Subject",
              "ProviderAttributeValue": subject})


def fresh_sign_in(server, f):
    """A sign-in through Corp in a new browser (no hosted-UI session):
    the application's query back and the PKCE verifier."""
    f.browser = Browser(ssl_context=server.ssl_context())
    return f.sign_in(identity_provider="Corp")


def test_linked_identity_gets_native_users_tokens(server, fed):  # noqa: F811
    native = make_user(fed.idp, fed.pool_id,
                       email="native-%s@example.com" % uuid.uuid4().hex[:6])
    native_sub = attrs_of(fed.idp.admin_get_user(
        UserPoolId=fed.pool_id, Username=native))["sub"]
    subject = fed.user["sub"]
    link(fed, native, subject)

    back, verifier = fresh_sign_in(server, fed)
    toks = fed.tokens(back, verifier)
    idc = fed.claims(toks["id_token"], "id")
    assert idc["sub"] == native_sub
    assert idc["cognito:username"] == native
    assert [(i["providerName"], i["userId"], i["primary"])
            for i in idc["identities"]] == [("Corp", subject, "false")]
    assert "cognito:groups" not in idc
    assert fed.claims(toks["access_token"], "access")["username"] == native
    assert [u["Username"] for u in fed.users()] == [native]

    # Unlinked: the identity signs in as a user of its own.
    disable(fed, subject)
    assert "identities" not in attrs_of(fed.idp.admin_get_user(
        UserPoolId=fed.pool_id, Username=native))
    back, verifier = fresh_sign_in(server, fed)
    idc = fed.claims(fed.tokens(back, verifier)["id_token"], "id")
    own = "Corp_" + subject
    assert idc["cognito:username"] == own and idc["sub"] != native_sub
    assert idc["cognito:groups"] == [fed.pool_id + "_Corp"]
    assert idc["identities"][0]["primary"] == "true"
    assert idc["identities"][0]["providerType"] == "OIDC"
    got = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=own)
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
    assert sorted(u["Username"] for u in fed.users()) == sorted([native,
                                                                 own])


def test_disabled_identity_is_refused(server, fed):  # noqa: F811
    subject = fed.user["sub"]
    back, verifier = fresh_sign_in(server, fed)
    assert "code" in back
    own = "Corp_" + subject
    # Its own federated user exists now: it can no longer be linked.
    native = make_user(fed.idp, fed.pool_id)
    try:
        link(fed, native, subject)
        raise AssertionError("linked an identity that has a user")
    except Exception as e:  # noqa: BLE001 - the code is the point
        assert e.response["Error"]["Code"] == "AliasExistsException"
    disable(fed, subject)
    assert fed.idp.admin_get_user(UserPoolId=fed.pool_id,
                                  Username=own)["Enabled"] is False
    back, _ = fresh_sign_in(server, fed)
    assert "code" not in back
    assert back["error"] == "invalid_request"
    assert back["error_description"] == "User is disabled."
    # Deleting the provider leaves its users in place.
    fed.idp.delete_identity_provider(UserPoolId=fed.pool_id,
                                     ProviderName="Corp")
    got = fed.idp.admin_get_user(UserPoolId=fed.pool_id, Username=own)
    assert got["UserStatus"] == "EXTERNAL_PROVIDER"
