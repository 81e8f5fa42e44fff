"""Signing in through the JSON API with unmodified AWS clients: the
getting-started path (admin-created user, temporary password,
NEW_PASSWORD_REQUIRED, tokens), password errors and lockout, SECRET_HASH,
refresh, rotation, revocation and global sign-out; the tokens verified
against the pool's JWKS by PyJWT as a relying party would."""
import base64
import hashlib
import json
import re
import time
import uuid

import botocore.exceptions
import jwt
import pytest

from conftest import (APP_FLOWS, PASSWORD, TEMP, error_of, make_client,
                      make_user, secret_hash)


def admin_auth(idp, pool_id, client_id, username, password=PASSWORD, **extra):
    params = {"USERNAME": username, "PASSWORD": password}
    params.update(extra)
    return idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                   AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters=params)


def get_tokens(server, client_id, refresh):
    """GetTokensFromRefreshToken over the raw JSON API (Debian's boto3
    predates it); (status, body)."""
    r = server.api("GetTokensFromRefreshToken", {
        "ClientId": client_id, "RefreshToken": refresh}, signed=False)
    return r.status, r.json()


def verify(server, pool_id, token, use, client_id):
    """Verify a token as a relying party does: JWKS signature, iss,
    token_use, exp and the audience claim of its kind."""
    r = server.request("GET", "/%s/.well-known/jwks.json" % pool_id)
    jwks = jwt.PyJWKSet.from_dict(r.json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    opts = {"require": ["exp", "iat", "iss", "sub"]}
    if use == "id":
        claims = jwt.decode(token, key.key, algorithms=["RS256"],
                            audience=client_id, options=opts,
                            issuer="%s/%s" % (server.https, pool_id))
    else:
        claims = jwt.decode(token, key.key, algorithms=["RS256"],
                            options=dict(opts, verify_aud=False),
                            issuer="%s/%s" % (server.https, pool_id))
        assert "aud" not in claims
        assert claims["client_id"] == client_id
    assert claims["token_use"] == use
    assert claims["exp"] > time.time()
    return claims


def test_getting_started_path(server, pool, idp):
    """admin-create-user with the AWS CLI, the invitation in the outbox,
    sign-in with the temporary password, NEW_PASSWORD_REQUIRED, a new
    password, tokens that verify against the JWKS."""
    pid = pool["Id"]
    client = make_client(idp, pid)
    email = "alice-%s@example.com" % uuid.uuid4().hex[:6]
    server.aws("admin-create-user", "--user-pool-id", pid, "--username",
               "alice", "--temporary-password", TEMP, "--user-attributes",
               "Name=email,Value=%s" % email, "Name=email_verified,Value=true",
               "--desired-delivery-mediums", "EMAIL")
    msg = server.wait_message(email)
    assert "alice" in msg["body"] and TEMP in msg["body"]

    out = server.aws("admin-initiate-auth", "--user-pool-id", pid,
                     "--client-id", client["ClientId"], "--auth-flow",
                     "ADMIN_NO_SRP_AUTH", "--auth-parameters",
                     "USERNAME=alice,PASSWORD=%s" % TEMP)
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert "AuthenticationResult" not in out
    assert len(out["Session"]) >= 20
    params = out["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "alice"
    assert json.loads(params["userAttributes"])["email"] == email
    assert json.loads(params["requiredAttributes"]) == []

    res = server.aws("admin-respond-to-auth-challenge", "--user-pool-id",
                     pid, "--client-id", client["ClientId"],
                     "--challenge-name", "NEW_PASSWORD_REQUIRED",
                     "--session", out["Session"], "--challenge-responses",
                     "USERNAME=alice,NEW_PASSWORD=%s" % PASSWORD)
    result = res["AuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    idt = verify(server, pid, result["IdToken"], "id", client["ClientId"])
    at = verify(server, pid, result["AccessToken"], "access",
                client["ClientId"])
    assert result["RefreshToken"]
    user = idp.admin_get_user(UserPoolId=pid, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    sub = next(a["Value"] for a in user["UserAttributes"]
               if a["Name"] == "sub")
    assert idt["sub"] == at["sub"] == sub
    assert idt["cognito:username"] == at["username"] == "alice"
    assert idt["email"] == email and idt["email_verified"] is True
    assert at["scope"] == "aws.cognito.signin.user.admin"
    assert idt["event_id"] == at["event_id"]
    assert idt["origin_jti"] == at["origin_jti"]
    assert idt["jti"] != at["jti"]
    assert idt["auth_time"] <= idt["iat"] <= time.time() + 1
    assert jwt.get_unverified_header(result["IdToken"])["kid"] != \
        jwt.get_unverified_header(result["AccessToken"])["kid"]

    # The session was single-use.
    err = server.aws_error("admin-respond-to-auth-challenge",
                           "--user-pool-id", pid, "--client-id",
                           client["ClientId"], "--challenge-name",
                           "NEW_PASSWORD_REQUIRED", "--session",
                           out["Session"], "--challenge-responses",
                           "USERNAME=alice,NEW_PASSWORD=%s" % PASSWORD)
    assert err[0] == "NotAuthorizedException"
    # The new password now signs in directly; the temporary one does not.
    admin_auth(idp, pid, client["ClientId"], "alice")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], "alice", TEMP)
    assert error_of(e)[0] == "NotAuthorizedException"


def test_new_password_must_follow_policy_and_session_survives(server, pool,
                                                              idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid, confirmed=False)
    out = admin_auth(idp, pid, client["ClientId"], name, TEMP)
    common = dict(ClientId=client["ClientId"],
                  ChallengeName="NEW_PASSWORD_REQUIRED",
                  Session=out["Session"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.respond_to_auth_challenge(ChallengeResponses={
            "USERNAME": name, "NEW_PASSWORD": "short"}, **common)
    assert error_of(e)[0] == "InvalidPasswordException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.respond_to_auth_challenge(ChallengeResponses={
            "USERNAME": "someone-else", "NEW_PASSWORD": PASSWORD}, **common)
    assert error_of(e)[0] == "NotAuthorizedException"
    res = idp.respond_to_auth_challenge(ChallengeResponses={
        "USERNAME": name, "NEW_PASSWORD": PASSWORD,
        "userAttributes.given_name": "Ada"}, **common)
    assert "IdToken" in res["AuthenticationResult"]
    user = idp.admin_get_user(UserPoolId=pid, Username=name)
    assert {"Name": "given_name", "Value": "Ada"} in user["UserAttributes"]


def test_user_password_auth_and_disabled_flows(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid)
    res = idp.initiate_auth(ClientId=client["ClientId"],
                            AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": name.upper(),
                                            "PASSWORD": PASSWORD})
    verify(server, pid, res["AuthenticationResult"]["AccessToken"],
           "access", client["ClientId"])

    only_srp = make_client(idp, pid, ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=only_srp["ClientId"],
                          AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name,
                                          "PASSWORD": PASSWORD})
    assert error_of(e) == ("InvalidParameterException",
                           "USER_PASSWORD_AUTH flow not enabled for this "
                           "client")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, only_srp["ClientId"], name)
    assert error_of(e) == ("InvalidParameterException",
                           "Auth flow not enabled for this client")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=client["ClientId"],
                          AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name,
                                          "PASSWORD": PASSWORD})
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId="nosuchclient1234567890abcd",
                          AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name,
                                          "PASSWORD": PASSWORD})
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=client["ClientId"],
                          AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name})
    assert error_of(e) == ("InvalidParameterException",
                           "Missing required parameter PASSWORD")


def test_wrong_password_unknown_user_and_existence_errors(server, pool, idp):
    pid = pool["Id"]
    legacy = make_client(idp, pid)
    hidden = make_client(idp, pid, PreventUserExistenceErrors="ENABLED")
    name = make_user(idp, pid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, legacy["ClientId"], name, "Wrong-passw0rd")
    assert error_of(e) == ("NotAuthorizedException",
                           "Incorrect username or password.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, legacy["ClientId"], "nobody")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, hidden["ClientId"], "nobody")
    assert error_of(e) == ("NotAuthorizedException",
                           "Incorrect username or password.")


def test_lockout_after_five_failures(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            admin_auth(idp, pid, client["ClientId"], name, "Wrong-passw0rd")
        assert error_of(e)[1] == "Incorrect username or password."
    # Locked now: even the right password is refused for a second.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], name)
    assert error_of(e) == ("NotAuthorizedException",
                           "Password attempts exceeded")
    time.sleep(1.2)
    admin_auth(idp, pid, client["ClientId"], name)


def test_user_states(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    disabled = make_user(idp, pid)
    idp.admin_disable_user(UserPoolId=pid, Username=disabled)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], disabled)
    assert error_of(e) == ("NotAuthorizedException", "User is disabled.")

    reset = make_user(idp, pid)
    idp.admin_reset_user_password(UserPoolId=pid, Username=reset)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], reset)
    assert error_of(e)[0] == "PasswordResetRequiredException"

    idp.sign_up(ClientId=client["ClientId"], Username="unconfirmed",
                Password=PASSWORD)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], "unconfirmed")
    assert error_of(e) == ("UserNotConfirmedException",
                           "User is not confirmed.")
    # A wrong password does not reveal the state.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], "unconfirmed", "Nope-nope1!")
    assert error_of(e)[0] == "NotAuthorizedException"


def test_expired_temporary_password(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid, confirmed=False)
    server.psql("UPDATE users SET temp_password_at = temp_password_at - "
                "8 * 86400 WHERE pool_id = '%s'" % pid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, client["ClientId"], name, TEMP)
    assert error_of(e) == ("NotAuthorizedException",
                           "Temporary password has expired and must be "
                           "reset by an administrator.")


def test_secret_hash(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    name = make_user(idp, pid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, cid, name)
    assert error_of(e)[0] == "NotAuthorizedException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, cid, name,
                   SECRET_HASH=secret_hash(name, cid, "x" * len(secret)))
    assert error_of(e)[0] == "NotAuthorizedException"
    res = admin_auth(idp, pid, cid, name,
                     SECRET_HASH=secret_hash(name, cid, secret))
    refresh = res["AuthenticationResult"]["RefreshToken"]
    res = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={
                                "REFRESH_TOKEN": refresh,
                                "SECRET_HASH": secret_hash(name, cid,
                                                           secret)})
    assert "AccessToken" in res["AuthenticationResult"]
    # A secret-less client refuses a SECRET_HASH.
    plain = make_client(idp, pid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pid, plain["ClientId"], name,
                   SECRET_HASH=secret_hash(name, cid, secret))
    assert error_of(e)[0] == "InvalidParameterException"


def test_refresh_keeps_auth_time_and_family(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    cid = client["ClientId"]
    name = make_user(idp, pid)
    first = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    before = verify(server, pid, first["IdToken"], "id", cid)
    time.sleep(1.1)
    res = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                            AuthParameters={
                                "REFRESH_TOKEN": first["RefreshToken"]})
    again = res["AuthenticationResult"]
    assert "RefreshToken" not in again
    after = verify(server, pid, again["IdToken"], "id", cid)
    assert after["auth_time"] == before["auth_time"]
    assert after["iat"] > before["iat"]
    assert after["origin_jti"] == before["origin_jti"]
    status, got = get_tokens(server, cid, first["RefreshToken"])
    assert status == 200, got
    assert "AccessToken" in got["AuthenticationResult"]
    # Another client cannot use it.
    other = make_client(idp, pid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=other["ClientId"],
                          AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={
                              "REFRESH_TOKEN": first["RefreshToken"]})
    assert error_of(e)[0] == "NotAuthorizedException"


def test_revoke_token_kills_family(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    cid = client["ClientId"]
    name = make_user(idp, pid)
    res = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    other = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.revoke_token(ClientId=cid, Token=res["AccessToken"])
    assert error_of(e)[0] == "UnsupportedTokenTypeException"
    idp.revoke_token(ClientId=cid, Token=res["RefreshToken"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={
                              "REFRESH_TOKEN": res["RefreshToken"]})
    assert error_of(e)[0] == "NotAuthorizedException"
    # The access token of that family is dead on our API; others live.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.global_sign_out(AccessToken=res["AccessToken"])
    assert error_of(e) == ("NotAuthorizedException",
                           "Access Token has been revoked")
    idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": other["RefreshToken"]})


def test_global_sign_out(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    cid = client["ClientId"]
    name = make_user(idp, pid)
    a = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    b = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    idp.global_sign_out(AccessToken=a["AccessToken"])
    for tokens in (a, b):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={
                                  "REFRESH_TOKEN": tokens["RefreshToken"]})
        assert error_of(e)[0] == "NotAuthorizedException"
    c = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    server.aws("admin-user-global-sign-out", "--user-pool-id", pid,
               "--username", name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.global_sign_out(AccessToken=c["AccessToken"])
    assert error_of(e)[0] == "NotAuthorizedException"
    err = server.aws_error("admin-user-global-sign-out", "--user-pool-id",
                           pid, "--username", "nobody")
    assert err[0] == "UserNotFoundException"


def test_token_issued_in_the_second_of_a_global_sign_out_is_refused(
        server, pool, idp):
    """Bug: the sign-out time was compared with iat in whole seconds, so
    a token without a refresh-token family (here: a client without
    token revocation, as an implicit-flow token) issued in the same
    second as a global sign-out still worked after it."""
    pid = pool["Id"]
    cid = make_client(idp, pid, EnableTokenRevocation=False)["ClientId"]
    name = make_user(idp, pid)
    for signout in ("self", "admin", "self"):
        # Start at the top of a second so that issue and sign-out share it.
        time.sleep(1 - time.time() % 1)
        a = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
        if signout == "self":
            idp.global_sign_out(AccessToken=a["AccessToken"])
        else:
            idp.admin_user_global_sign_out(UserPoolId=pid, Username=name)
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.get_user(AccessToken=a["AccessToken"])
        assert error_of(e) == ("NotAuthorizedException",
                               "Access Token has been revoked")
        # A sign-in right after, still in that second, works.
        b = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
        assert idp.get_user(AccessToken=b["AccessToken"])["Username"] == name
        claims = jwt.decode(b["AccessToken"],
                            options={"verify_signature": False})
        assert claims["iat"] <= time.time()


def test_forged_access_tokens_are_refused(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid)
    tok = admin_auth(idp, pid, client["ClientId"],
                     name)["AuthenticationResult"]["AccessToken"]
    head, body, sig = tok.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["username"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()) \
        .decode().rstrip("=")
    none = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
    for bad in ("%s.%s.%s" % (head, forged, sig), "%s.%s." % (none, body),
                "garbage", "a.b.c"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.global_sign_out(AccessToken=bad)
        assert error_of(e) == ("NotAuthorizedException",
                               "Invalid Access Token")
    # An ID token is not an access token.
    idt = admin_auth(idp, pid, client["ClientId"],
                     name)["AuthenticationResult"]["IdToken"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.global_sign_out(AccessToken=idt)
    assert error_of(e)[0] == "NotAuthorizedException"


def test_refresh_token_rotation_detects_reuse(server, pool, idp):
    pid = pool["Id"]
    r = server.api("CreateUserPoolClient", {
        "UserPoolId": pid, "ClientName": "rotating",
        "ExplicitAuthFlows": APP_FLOWS, "RefreshTokenRotation": {
            "Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})
    assert r.status == 200, r
    cid = r.json()["UserPoolClient"]["ClientId"]
    name = make_user(idp, pid)
    first = admin_auth(idp, pid, cid, name)["AuthenticationResult"]
    time.sleep(1.1)
    status, second = get_tokens(server, cid, first["RefreshToken"])
    assert status == 200, second
    new = second["AuthenticationResult"]["RefreshToken"]
    assert new != first["RefreshToken"]
    time.sleep(1.1)
    status, err = get_tokens(server, cid, first["RefreshToken"])
    assert (status, err["__type"]) == (400, "RefreshTokenReuseException")
    # Reuse revoked the whole family, the new token included.
    status, err = get_tokens(server, cid, new)
    assert (status, err["__type"]) == (400, "NotAuthorizedException")


def test_groups_claim_ordered_by_precedence(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid)
    for g, prec in (("readers", 20), ("admins", 1), ("writers", 5)):
        idp.create_group(UserPoolId=pid, GroupName=g, Precedence=prec,
                         RoleArn="arn:aws:iam::000000000000:role/%s" % g)
        idp.admin_add_user_to_group(UserPoolId=pid, Username=name,
                                    GroupName=g)
    res = admin_auth(idp, pid, client["ClientId"],
                     name)["AuthenticationResult"]
    idt = verify(server, pid, res["IdToken"], "id", client["ClientId"])
    at = verify(server, pid, res["AccessToken"], "access",
                client["ClientId"])
    assert idt["cognito:groups"] == ["admins", "writers", "readers"]
    assert at["cognito:groups"] == ["admins", "writers", "readers"]
    assert idt["cognito:preferred_role"].endswith("role/admins")


def test_read_attributes_limit_id_token(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid, ReadAttributes=["email"])
    name = make_user(idp, pid, email="r-%s@example.com" % uuid.uuid4().hex[:6])
    idp.admin_update_user_attributes(UserPoolId=pid, Username=name,
                                     UserAttributes=[{"Name": "given_name",
                                                      "Value": "Bo"}])
    res = admin_auth(idp, pid, client["ClientId"],
                     name)["AuthenticationResult"]
    idt = verify(server, pid, res["IdToken"], "id", client["ClientId"])
    assert "email" in idt and "given_name" not in idt


def test_token_lifetimes_follow_the_client(server, pool, idp):
    pid = pool["Id"]
    client = make_client(idp, pid, AccessTokenValidity=10, IdTokenValidity=20,
                         TokenValidityUnits={"AccessToken": "minutes",
                                             "IdToken": "minutes"})
    name = make_user(idp, pid)
    res = admin_auth(idp, pid, client["ClientId"],
                     name)["AuthenticationResult"]
    assert res["ExpiresIn"] == 600
    at = verify(server, pid, res["AccessToken"], "access",
                client["ClientId"])
    idt = verify(server, pid, res["IdToken"], "id", client["ClientId"])
    assert at["exp"] - at["iat"] == 600
    assert idt["exp"] - idt["iat"] == 1200


def test_weak_hash_upgraded_at_sign_in(server, pool, idp):
    """A hash made with a lower scrypt cost than the server's (an older
    configuration) is replaced by one of the current cost at the next
    successful sign-in, and the password keeps working."""
    pid = pool["Id"]
    client = make_client(idp, pid)
    name = make_user(idp, pid)
    (stored,), = server.psql("SELECT password_hash FROM users WHERE "
                             "pool_id = '%s'" % pid)
    _, s1, params, salt, _ = stored.split("$")
    assert s1 == "s1" and params == "0a0801"
    weak = hashlib.scrypt(PASSWORD.encode(), salt=base64.b64decode(salt),
                          n=2 ** 8, r=8, p=1, dklen=64)
    server.psql("UPDATE users SET password_hash = '$s1$080801$%s$%s' WHERE "
                "pool_id = '%s'" % (salt, base64.b64encode(weak).decode(),
                                    pid))
    admin_auth(idp, pid, client["ClientId"], name)
    (after,), = server.psql("SELECT password_hash FROM users WHERE "
                            "pool_id = '%s'" % pid)
    assert after.split("$")[2] == "0a0801" and after != stored
    admin_auth(idp, pid, client["ClientId"], name)


def test_new_device_metadata_in_a_tracking_pool(server, idp):
    """A pool that tracks devices answers a sign-in from an untracked
    device with NewDeviceMetadata, and the access token names the
    device."""
    pid = idp.create_user_pool(
        PoolName="devices-%s" % uuid.uuid4().hex[:8],
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": False,
                             "DeviceOnlyRememberedOnUserPrompt": True}
    )["UserPool"]["Id"]
    try:
        client = make_client(idp, pid)
        name = make_user(idp, pid)
        res = admin_auth(idp, pid, client["ClientId"],
                         name)["AuthenticationResult"]
        meta = res["NewDeviceMetadata"]
        assert re.fullmatch(r"us-east-1_[0-9a-f-]{36}", meta["DeviceKey"])
        assert meta["DeviceGroupKey"]
        at = verify(server, pid, res["AccessToken"], "access",
                    client["ClientId"])
        assert at["device_key"] == meta["DeviceKey"]
        # A refresh does not make another device.
        again = idp.initiate_auth(ClientId=client["ClientId"],
                                  AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={
                                      "REFRESH_TOKEN": res["RefreshToken"]})
        assert "NewDeviceMetadata" not in again["AuthenticationResult"]
    finally:
        idp.delete_user_pool(UserPoolId=pid)
