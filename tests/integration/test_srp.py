"""USER_SRP_AUTH through boto3 with the SRP arithmetic done by the test
(tests/integration/srp_client.py): unknown users get a consistent fake
salt and fail only at the verifier, NEW_PASSWORD_REQUIRED follows SRP,
SECRET_HASH is checked in both rounds, wrong passwords lock the user;
the verifier is sealed at rest, and one stored in plain by an older
version still works and is sealed at the next start."""
import re

import botocore.exceptions
import pytest

from conftest import (APP_FLOWS, PASSWORD, TEMP, error_of, make_client,
                      make_user, secret_hash)
from daemons import own_server, restarted  # noqa: F401 (a fixture)
from srp_client import Srp, make_verifier

FLOWS = APP_FLOWS + ["ALLOW_USER_SRP_AUTH"]


def srp_sign_in(idp, pool_id, client_id, name, password=PASSWORD,
                secret=None):
    s = Srp(pool_id)
    params = {"USERNAME": name, "SRP_A": s.srp_a}
    if secret:
        params["SECRET_HASH"] = secret_hash(name, client_id, secret)
    out = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                            AuthParameters=params)
    assert out["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = s.answer(out["ChallengeParameters"], password)
    if secret:
        answer["SECRET_HASH"] = secret_hash(answer["USERNAME"], client_id,
                                            secret)
    return idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer)


def test_srp_sign_in_by_any_case(server, idp, pool):
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    res = srp_sign_in(idp, pid, cid, name.upper())
    assert "AccessToken" in res["AuthenticationResult"]


def test_unknown_user_fake_salt_when_hidden(server, idp, pool):
    pid = pool["Id"]
    hidden = make_client(idp, pid, ExplicitAuthFlows=FLOWS,
                         PreventUserExistenceErrors="ENABLED")["ClientId"]
    legacy = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    salts = []
    for _ in range(2):
        s = Srp(pid)
        out = idp.initiate_auth(ClientId=hidden, AuthFlow="USER_SRP_AUTH",
                                AuthParameters={"USERNAME": "ghost",
                                                "SRP_A": s.srp_a})
        salts.append(out["ChallengeParameters"]["SALT"])
    assert salts[0] == salts[1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srp_sign_in(idp, pid, hidden, "ghost", "Anything-1!")
    assert error_of(e) == ("NotAuthorizedException",
                           "Incorrect username or password.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=legacy, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "ghost",
                                          "SRP_A": Srp(pid).srp_a})
    assert error_of(e)[0] == "UserNotFoundException"


def test_new_password_required_after_srp(server, idp, pool):
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid, confirmed=False)
    out = srp_sign_in(idp, pid, cid, name, TEMP)
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    res = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=out["Session"], ChallengeResponses={
            "USERNAME": name, "NEW_PASSWORD": "Brand-new-passw0rd"})
    assert "AccessToken" in res["AuthenticationResult"]
    # The new password has its own verifier: SRP works with it.
    srp_sign_in(idp, pid, cid, name, "Brand-new-passw0rd")


def test_secret_hash_in_both_rounds(server, idp, pool):
    pid = pool["Id"]
    c = make_client(idp, pid, ExplicitAuthFlows=FLOWS, GenerateSecret=True)
    name = make_user(idp, pid)
    res = srp_sign_in(idp, pid, c["ClientId"], name,
                      secret=c["ClientSecret"])
    assert "IdToken" in res["AuthenticationResult"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srp_sign_in(idp, pid, c["ClientId"], name)
    assert error_of(e)[0] == "NotAuthorizedException"


def test_wrong_passwords_lock(server, idp, pool):
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            srp_sign_in(idp, pid, cid, name, "Wrong-passw0rd")
        assert error_of(e)[1] == "Incorrect username or password."
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srp_sign_in(idp, pid, cid, name)
    assert error_of(e) == ("NotAuthorizedException",
                           "Password attempts exceeded")


def srp_answer(idp, pool):
    """A new client and user of the pool, and a right PASSWORD_VERIFIER
    answer for it: (client id, username, ChallengeResponses)."""
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    s = Srp(pid)
    out = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                            AuthParameters={"USERNAME": name,
                                            "SRP_A": s.srp_a})
    return cid, name, s.answer(out["ChallengeParameters"], PASSWORD)


def test_tampered_signature_and_block(server, idp, pool):
    cid, name, answer = srp_answer(idp, pool)
    bad = dict(answer, PASSWORD_CLAIM_SECRET_BLOCK="AAAA" +
               answer["PASSWORD_CLAIM_SECRET_BLOCK"][4:])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid,
                                      ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=bad)
    assert error_of(e)[0] == "NotAuthorizedException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": name, "SRP_A": "0"})
    assert error_of(e)[0] == "InvalidParameterException"


def test_an_answer_signs_in_once(server, idp, pool):
    """A PASSWORD_VERIFIER answer, replayed while its SECRET_BLOCK is
    still fresh, is refused: the block is spent by the first sign-in."""
    cid, _, answer = srp_answer(idp, pool)
    r = idp.respond_to_auth_challenge(ClientId=cid,
                                      ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert r["AuthenticationResult"]["AccessToken"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid,
                                      ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException",
                           "Invalid session for the user, session is "
                           "expired.")


def test_unknown_device_key_then_the_same_answer_without(server, idp, pool):
    """amazon-cognito-identity-js answers "Device does not exist." by
    sending the same answer again without its DEVICE_KEY: the first try
    must not spend the block."""
    cid, _, answer = srp_answer(idp, pool)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=dict(answer, DEVICE_KEY="us-east-1_" +
                                    "0" * 8 + "-0000-4000-8000-" + "0" * 12))
    assert error_of(e) == ("ResourceNotFoundException",
                           "Device does not exist.")
    r = idp.respond_to_auth_challenge(ClientId=cid,
                                      ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert r["AuthenticationResult"]["AccessToken"]


def test_admin_initiate_auth_with_srp(server, idp, pool):
    """USER_SRP_AUTH through AdminInitiateAuth and
    AdminRespondToAuthChallenge (signed admin calls)."""
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    s = Srp(pid)
    out = idp.admin_initiate_auth(UserPoolId=pid, ClientId=cid,
                                  AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={"USERNAME": name,
                                                  "SRP_A": s.srp_a})
    assert out["ChallengeName"] == "PASSWORD_VERIFIER"
    r = idp.admin_respond_to_auth_challenge(
        UserPoolId=pid, ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=s.answer(out["ChallengeParameters"], PASSWORD))
    assert r["AuthenticationResult"]["AccessToken"]
    s = Srp(pid)
    out = idp.admin_initiate_auth(UserPoolId=pid, ClientId=cid,
                                  AuthFlow="USER_SRP_AUTH",
                                  AuthParameters={"USERNAME": name,
                                                  "SRP_A": s.srp_a})
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.admin_respond_to_auth_challenge(
            UserPoolId=pid, ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=s.answer(out["ChallengeParameters"],
                                        "Wr0ng-Passw0rd!"))
    assert error_of(e) == ("NotAuthorizedException",
                           "Incorrect username or password.")


def stored_verifier(srv, pool_id, name):
    rows = srv.psql("SELECT srp_salt, srp_verifier FROM users WHERE "
                    "pool_id = '%s' AND username = '%s'" % (pool_id, name))
    assert len(rows) == 1
    return rows[0]


def test_srp_verifier_is_sealed_at_rest(server, idp, pool):
    """The stored verifier is sealed under the master key (not the hex
    of v = g^x), after each way a password is set; SRP still works."""
    pid = pool["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    for step in ("confirmed", "admin set", "changed"):
        if step == "admin set":
            idp.admin_set_user_password(UserPoolId=pid, Username=name,
                                        Password=PASSWORD + "2",
                                        Permanent=True)
            password = PASSWORD + "2"
        elif step == "changed":
            res = srp_sign_in(idp, pid, cid, name, password)
            idp.change_password(
                AccessToken=res["AuthenticationResult"]["AccessToken"],
                PreviousPassword=password, ProposedPassword=PASSWORD)
            password = PASSWORD
        else:
            password = PASSWORD
        salt, verifier = stored_verifier(server, pid, name)
        assert verifier.startswith("v1."), (step, verifier[:40])
        assert not re.search(r"[0-9a-f]{64}", verifier), step
        res = srp_sign_in(idp, pid, cid, name, password)
        assert "AccessToken" in res["AuthenticationResult"], step


def test_a_verifier_stored_in_plain_works_and_is_sealed_at_start(
        own_server):
    """A row written before verifiers were sealed (built here by SQL)
    still signs in, and the next start seals it."""
    srv = own_server
    idp = srv.boto3()
    pid = idp.create_user_pool(PoolName="legacy")["UserPool"]["Id"]
    cid = make_client(idp, pid, ExplicitAuthFlows=FLOWS)["ClientId"]
    name = make_user(idp, pid)
    # As stored before verifiers were sealed: salt and verifier in hex.
    salt, plain = make_verifier(pid.split("_", 1)[1] + name, PASSWORD)
    srv.psql("UPDATE users SET srp_salt = '%s', srp_verifier = '%s' "
             "WHERE pool_id = '%s' AND username = '%s'"
             % (salt, plain, pid, name))
    assert stored_verifier(srv, pid, name) == [salt, plain]
    res = srp_sign_in(idp, pid, cid, name)
    assert "AccessToken" in res["AuthenticationResult"]
    idp = restarted(srv)
    got_salt, sealed = stored_verifier(srv, pid, name)
    assert got_salt == salt and sealed.startswith("v1.")
    assert plain not in sealed
    res = srp_sign_in(idp, pid, cid, name)
    assert "AccessToken" in res["AuthenticationResult"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        srp_sign_in(idp, pid, cid, name, password=PASSWORD + "x")
    assert error_of(e)[0] == "NotAuthorizedException"
    assert "sealed 1 SRP verifiers stored in plain" in srv.log_text()
