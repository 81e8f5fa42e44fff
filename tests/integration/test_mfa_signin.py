"""Signing in with a second factor, with boto3: SOFTWARE_TOKEN_MFA with
codes from Debian's oathtool, SMS_MFA with the code from the outbox,
SELECT_MFA_TYPE when several factors are on, MFA_SETUP in a pool where
MFA is required and the user has none yet; wrong and replayed codes and
used sessions refused."""
import json
import re
import subprocess
import time
import uuid

import botocore.exceptions
import pytest

from conftest import (PASSWORD, TEMP, error_of, make_client, make_user,
                      unique_email, wrong)


def totp(secret, at):
    """The code of a base32 secret at epoch time `at` (oathtool)."""
    out = subprocess.run(["oathtool", "--totp", "-b", "-N", "@%d" % at,
                          secret], check=True, capture_output=True,
                         text=True, timeout=30).stdout.strip()
    assert re.fullmatch(r"\d{6}", out), out
    return out


def mfa_pool(server, pool_id, mode="OPTIONAL", sms=True):
    args = ["set-user-pool-mfa-config", "--user-pool-id", pool_id,
            "--software-token-mfa-configuration", "Enabled=true",
            "--mfa-configuration", mode]
    if sms:
        args += ["--sms-mfa-configuration", json.dumps({
            "SmsAuthenticationMessage": "Your code is {####}.",
            "SmsConfiguration": {
                "SnsCallerArn": "arn:aws:iam::000000000000:role/sns"}})]
    server.aws(*args)


def sign_in(idp, pool_id, client_id, name):
    return idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})


def respond(idp, client_id, out, **answers):
    answers.setdefault("USERNAME", out["ChallengeParameters"]
                       ["USER_ID_FOR_SRP"])
    return idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=out["ChallengeName"],
        Session=out["Session"], ChallengeResponses=answers)


def with_totp(idp, pool_id, client_id, name, preferred=True):
    """Associate and verify an authenticator app; its secret."""
    tok = sign_in(idp, pool_id, client_id, name)["AuthenticationResult"]
    secret = idp.associate_software_token(
        AccessToken=tok["AccessToken"])["SecretCode"]
    now = int(time.time())
    assert idp.verify_software_token(
        AccessToken=tok["AccessToken"], UserCode=totp(secret, now),
        FriendlyDeviceName="phone")["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(
        AccessToken=tok["AccessToken"],
        SoftwareTokenMfaSettings={"Enabled": True,
                                  "PreferredMfa": preferred})
    return secret


@pytest.fixture
def app(server, idp, pool):
    mfa_pool(server, pool["Id"])
    return pool["Id"], make_client(idp, pool["Id"])["ClientId"]


def test_totp_challenge(server, idp, app):
    pid, cid = app
    name = make_user(idp, pid, email=unique_email())
    secret = with_totp(idp, pid, cid, name)
    user = idp.admin_get_user(UserPoolId=pid, Username=name)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    out = sign_in(idp, pid, cid, name)
    assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in out and len(out["Session"]) >= 20
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE="000000"
                if totp(secret, int(time.time()) + 30) != "000000"
                else "111111")
    assert error_of(e)[0] == "CodeMismatchException"
    # The step used to verify is spent: the next step's code (one step
    # of drift is allowed) completes the sign-in.
    code = totp(secret, int(time.time()) + 30)
    res = respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=code)
    me = idp.get_user(AccessToken=res["AuthenticationResult"]["AccessToken"])
    assert me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    # Neither the session nor the code can be used again.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=code)
    assert error_of(e)[0] == "NotAuthorizedException"
    again = sign_in(idp, pid, cid, name)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, again, SOFTWARE_TOKEN_MFA_CODE=code)
    assert error_of(e)[0] == "CodeMismatchException"


def test_sms_challenge(server, idp, app):
    pid, cid = app
    phone = "+1555%07d" % (uuid.uuid4().int % 10 ** 7)
    name = make_user(idp, pid)
    idp.admin_update_user_attributes(UserPoolId=pid, Username=name,
                                     UserAttributes=[
                                         {"Name": "phone_number",
                                          "Value": phone},
                                         {"Name": "phone_number_verified",
                                          "Value": "true"}])
    idp.admin_set_user_mfa_preference(
        UserPoolId=pid, Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    out = sign_in(idp, pid, cid, name)
    assert out["ChallengeName"] == "SMS_MFA"
    params = out["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert params["CODE_DELIVERY_DESTINATION"].endswith(phone[-4:])
    msg = server.wait_message(phone)
    assert msg["body"].startswith("Your code is ")
    code = re.search(r"\d{6}", msg["body"]).group(0)
    res = respond(idp, cid, out, SMS_MFA_CODE=code)
    assert "IdToken" in res["AuthenticationResult"]


def test_email_otp_challenge(server, idp, pool):
    """EMAIL_OTP: the pool's EmailMfaConfiguration message, the code in
    the user's mailbox, a wrong code refused (raw JSON: Debian's botocore
    does not know the e-mail MFA members)."""
    pid = pool["Id"]
    cid = make_client(idp, pid)["ClientId"]
    r = server.api("SetUserPoolMfaConfig", {
        "UserPoolId": pid, "MfaConfiguration": "OPTIONAL",
        "EmailMfaConfiguration": {"Message": "Sign-in code: {####}",
                                  "Subject": "Your sign-in code"}})
    assert r.status == 200, r.body
    email = unique_email()
    name = make_user(idp, pid, email=email)
    r = server.api("AdminSetUserMFAPreference", {
        "UserPoolId": pid, "Username": name,
        "EmailMfaSettings": {"Enabled": True, "PreferredMfa": True}})
    assert r.status == 200, r.body
    out = sign_in(idp, pid, cid, name)
    assert out["ChallengeName"] == "EMAIL_OTP"
    params = out["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert params["CODE_DELIVERY_DESTINATION"] != email
    msg = server.wait_message(email)
    assert msg["subject"] == "Your sign-in code"
    code = re.search(r"Sign-in code: (\d{6})", msg["body"]).group(1)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, out, EMAIL_OTP_CODE=wrong(code))
    assert error_of(e)[0] == "CodeMismatchException"
    res = respond(idp, cid, out, EMAIL_OTP_CODE=code)
    assert "IdToken" in res["AuthenticationResult"]


def test_wrong_codes_end_the_session(server, idp, app):
    pid, cid = app
    name = make_user(idp, pid, email=unique_email())
    secret = with_totp(idp, pid, cid, name)
    out = sign_in(idp, pid, cid, name)
    good = totp(secret, int(time.time()) + 30)
    bad = "%06d" % ((int(good) + 1) % 10 ** 6)
    for _ in range(3):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=bad)
        assert error_of(e)[0] == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=good)
    assert error_of(e)[0] == "NotAuthorizedException"


def test_select_mfa_type(server, idp, app):
    pid, cid = app
    name = make_user(idp, pid, email=unique_email())
    idp.admin_update_user_attributes(UserPoolId=pid, Username=name,
                                     UserAttributes=[
                                         {"Name": "phone_number",
                                          "Value": "+15550000001"}])
    secret = with_totp(idp, pid, cid, name, preferred=False)
    idp.admin_set_user_mfa_preference(
        UserPoolId=pid, Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False})
    out = sign_in(idp, pid, cid, name)
    assert out["ChallengeName"] == "SELECT_MFA_TYPE"
    choices = out["ChallengeParameters"]["MFAS_CAN_CHOOSE"]
    assert "SMS_MFA" in choices and "SOFTWARE_TOKEN_MFA" in choices
    nxt = respond(idp, cid, out, ANSWER="SOFTWARE_TOKEN_MFA")
    assert nxt["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert nxt["Session"] != out["Session"]
    res = respond(idp, cid, nxt, SOFTWARE_TOKEN_MFA_CODE=totp(
        secret, int(time.time()) + 30))
    assert "AccessToken" in res["AuthenticationResult"]


def test_mfa_setup_in_a_required_pool(server, idp, pool):
    pid = pool["Id"]
    mfa_pool(server, pid, mode="ON", sms=False)
    cid = make_client(idp, pid)["ClientId"]
    name = make_user(idp, pid, email=unique_email())
    out = sign_in(idp, pid, cid, name)
    assert out["ChallengeName"] == "MFA_SETUP"
    assert "SOFTWARE_TOKEN_MFA" in out["ChallengeParameters"][
        "MFAS_CAN_SETUP"]
    # Not verified yet: the challenge cannot be answered.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        respond(idp, cid, out)
    assert error_of(e)[0] == "InvalidParameterException"
    assoc = idp.associate_software_token(Session=out["Session"])
    ver = idp.verify_software_token(
        Session=assoc["Session"], UserCode=totp(assoc["SecretCode"],
                                                int(time.time())))
    assert ver["Status"] == "SUCCESS"
    res = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="MFA_SETUP", Session=ver["Session"],
        ChallengeResponses={"USERNAME": name})
    assert "AccessToken" in res["AuthenticationResult"]
    # From now on the pool asks for the app's code.
    assert sign_in(idp, pid, cid, name)["ChallengeName"] == \
        "SOFTWARE_TOKEN_MFA"


def test_no_mfa_when_optional_and_off(server, idp, app):
    pid, cid = app
    name = make_user(idp, pid, email=unique_email())
    assert "AuthenticationResult" in sign_in(idp, pid, cid, name)


def test_new_password_then_mfa_setup_in_a_required_pool(server, idp, pool):
    """A user who must choose a password in a pool that requires MFA
    gets MFA_SETUP after the new password, not tokens."""
    pid = pool["Id"]
    mfa_pool(server, pid, mode="ON", sms=False)
    cid = make_client(idp, pid)["ClientId"]
    name = make_user(idp, pid, confirmed=False)
    out = idp.admin_initiate_auth(
        UserPoolId=pid, ClientId=cid, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": TEMP})
    assert out["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    nxt = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=out["Session"], ChallengeResponses={
            "USERNAME": name, "NEW_PASSWORD": "Chosen-passw0rd!"})
    assert nxt["ChallengeName"] == "MFA_SETUP"
    assert "AuthenticationResult" not in nxt
