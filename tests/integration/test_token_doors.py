"""Refresh and revocation through both doors: the JSON API
(InitiateAuth REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken,
RevokeToken) and a pool domain's OAuth endpoints (/oauth2/token's
refresh_token grant, /oauth2/revoke) run the same core code, so a token
revoked at one door is refused at the other, a confidential client
authenticates the same way at both, and rotation behaves alike."""
import base64
import time
import urllib.parse

import botocore.exceptions
import pytest

from conftest import PASSWORD, error_of, secret_hash
from test_oauth import App

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def api_tokens(app):
    kw = {}
    if app.secret:
        kw["SECRET_HASH"] = secret_hash(app.username, app.client_id,
                                        app.secret)
    return app.idp.initiate_auth(
        ClientId=app.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters=dict(USERNAME=app.username, PASSWORD=PASSWORD,
                            **kw))["AuthenticationResult"]


def get_tokens(app, token, **extra):
    """GetTokensFromRefreshToken over the raw JSON API (Debian's boto3
    predates it): (status, __type or None, body)."""
    r = app.server.api("GetTokensFromRefreshToken", dict(
        ClientId=app.client_id, RefreshToken=token, **extra), signed=False)
    body = r.json()
    return r.status, body.get("__type"), body


def revoke(app, token, basic=True, **form):
    hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
    body = dict(token=token, **form)
    if app.secret and basic:
        hdrs["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % (app.client_id, app.secret)).encode()).decode()
    else:
        body.setdefault("client_id", app.client_id)
    r = app.server.request("POST", app.path("/oauth2/revoke"),
                           body=urllib.parse.urlencode(body), headers=hdrs)
    return r.status, r.json(), r.headers


def refresh(app, token, **kw):
    return app.token(dict(grant_type="refresh_token", refresh_token=token),
                     **kw)


@pytest.fixture
def app(server, idp, make_pool):
    return App(server, idp, make_pool, ExplicitAuthFlows=FLOWS)


@pytest.fixture
def secret_app(server, idp, make_pool):
    return App(server, idp, make_pool, secret=True, ExplicitAuthFlows=FLOWS)


def test_revoked_at_the_oauth_door_is_refused_by_the_api(app):
    tok = api_tokens(app)
    status, tokens = refresh(app, tok["RefreshToken"])
    assert status == 200 and tokens["access_token"], tokens
    status, body, hdrs = revoke(app, tok["RefreshToken"])
    assert (status, body) == (200, {})
    assert hdrs["cache-control"] == "no-store"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.idp.initiate_auth(ClientId=app.client_id,
                              AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={
                                  "REFRESH_TOKEN": tok["RefreshToken"]})
    assert error_of(e)[0] == "NotAuthorizedException"
    assert get_tokens(app, tok["RefreshToken"])[:2] == (
        400, "NotAuthorizedException")
    # The family's access tokens went with it.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.idp.get_user(AccessToken=tokens["access_token"])
    assert error_of(e)[0] == "NotAuthorizedException"
    # Revoking it again is no error.
    assert revoke(app, tok["RefreshToken"])[:2] == (200, {})


def test_revoked_by_the_api_is_refused_at_the_oauth_door(app):
    tok = api_tokens(app)
    app.idp.revoke_token(ClientId=app.client_id, Token=tok["RefreshToken"])
    status, err = refresh(app, tok["RefreshToken"])
    assert (status, err["error"]) == (400, "invalid_grant")
    assert err["error_description"] == "Invalid Refresh Token"


def test_confidential_client_at_both_doors(secret_app, app):
    a = secret_app
    tok = api_tokens(a)
    # Basic and client_secret_post both authenticate.
    status, t1 = refresh(a, tok["RefreshToken"])
    assert status == 200 and "id_token" in t1, t1
    status, t2 = a.token(dict(grant_type="refresh_token",
                              refresh_token=tok["RefreshToken"],
                              client_secret=a.secret), basic=False)
    assert status == 200, t2
    # A wrong or missing secret is the client's failure: 401.
    r = a.server.request(
        "POST", a.path("/oauth2/token"), body=urllib.parse.urlencode(
            dict(grant_type="refresh_token",
                 refresh_token=tok["RefreshToken"])),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Authorization": "Basic " + base64.b64encode(
                     ("%s:wrong" % a.client_id).encode()).decode()})
    assert (r.status, r.json()["error"]) == (401, "invalid_client")
    assert "basic" in r.headers["www-authenticate"].lower()
    form = dict(grant_type="refresh_token", client_id=a.client_id,
                refresh_token=tok["RefreshToken"])
    r = a.server.request("POST", a.path("/oauth2/token"),
                         body=urllib.parse.urlencode(form), headers={
                             "Content-Type":
                             "application/x-www-form-urlencoded"})
    assert (r.status, r.json()["error"]) == (401, "invalid_client")
    assert "www-authenticate" not in r.headers
    assert get_tokens(a, tok["RefreshToken"], ClientSecret="wrong")[:2] == (
        400, "NotAuthorizedException")
    # Revocation checks the secret too, at both doors.
    status, err, _ = revoke(a, tok["RefreshToken"], basic=False)
    assert (status, err["error"]) == (401, "invalid_client")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.idp.revoke_token(ClientId=a.client_id, Token=tok["RefreshToken"])
    assert error_of(e)[0] == "NotAuthorizedException"
    # An unknown client is invalid_client; another client's token is
    # not a grant of this one.
    form = dict(grant_type="refresh_token", client_id="nobody",
                refresh_token=tok["RefreshToken"])
    r = a.server.request("POST", a.path("/oauth2/token"),
                         body=urllib.parse.urlencode(form), headers={
                             "Content-Type":
                             "application/x-www-form-urlencoded"})
    assert (r.status, r.json()["error"]) == (401, "invalid_client")
    status, err = refresh(app, tok["RefreshToken"])
    assert (status, err["error"]) == (400, "invalid_grant")
    # The token still works for its own client, then is revoked by it.
    assert revoke(a, tok["RefreshToken"])[:2] == (200, {})
    status, err = refresh(a, tok["RefreshToken"])
    assert (status, err["error"]) == (400, "invalid_grant")


def test_rotation_alike_at_both_doors(server, idp, make_pool):
    a = App(server, idp, make_pool, ExplicitAuthFlows=FLOWS)
    # Debian's boto3 predates RefreshTokenRotation: the raw API.
    r = server.api("CreateUserPoolClient", {
        "UserPoolId": a.pool["Id"], "ClientName": "rotating",
        "ExplicitAuthFlows": FLOWS, "RefreshTokenRotation": {
            "Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})
    assert r.status == 200, r
    a.client_id = r.json()["UserPoolClient"]["ClientId"]
    first = api_tokens(a)["RefreshToken"]
    time.sleep(1.1)
    status, second = refresh(a, first)
    assert status == 200, second
    new = second["refresh_token"]
    assert new != first
    # The rotated token is refreshed by the API in turn.
    status, _, third = get_tokens(a, new)
    assert status == 200, third
    third = third["AuthenticationResult"]
    assert third["RefreshToken"] not in (first, new)
    time.sleep(1.1)
    # Reuse past the grace period kills the family, at either door.
    status, err = refresh(a, first)
    assert (status, err["error"]) == (400, "invalid_grant")
    assert get_tokens(a, third["RefreshToken"])[:2] == (
        400, "NotAuthorizedException")


def test_revoke_refusals_match(server, idp, make_pool, app):
    tok = api_tokens(app)
    # An access token is not a refresh token: at both doors.
    status, err, _ = revoke(app, tok["AccessToken"])
    assert (status, err["error"]) == (400, "unsupported_token_type")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        app.idp.revoke_token(ClientId=app.client_id,
                             Token=tok["AccessToken"])
    assert error_of(e)[0] == "UnsupportedTokenTypeException"
    # Missing and malformed parameters.
    r = server.request("POST", app.path("/oauth2/revoke"),
                       body="client_id=" + app.client_id, headers={
                           "Content-Type":
                           "application/x-www-form-urlencoded"})
    assert (r.status, r.json()["error"]) == (400, "invalid_request")
    status, err, _ = revoke(app, "a b")
    assert (status, err["error"]) == (400, "invalid_request")
    status, err = refresh(app, "a b")
    assert (status, err["error"]) == (400, "invalid_request")
    # A client without revocation: the API's UnsupportedOperation,
    # invalid_request at the OAuth door (as Cognito answers).
    off = App(server, idp, make_pool, ExplicitAuthFlows=FLOWS,
              EnableTokenRevocation=False)
    t = api_tokens(off)
    status, err, _ = revoke(off, t["RefreshToken"])
    assert (status, err["error"]) == (400, "invalid_request")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        off.idp.revoke_token(ClientId=off.client_id, Token=t["RefreshToken"])
    assert error_of(e)[0] == "UnsupportedOperationException"
    # Not revoked: it still refreshes at both doors.
    assert refresh(off, t["RefreshToken"])[0] == 200
