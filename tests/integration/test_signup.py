"""Self sign-up and password recovery through the public JSON API, with
unmodified clients (boto3, the AWS CLI): SignUp, ConfirmSignUp,
ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword. Codes are
read from the daemon's outbox as a user reads them from their mailbox;
expiry is simulated by moving expires_at in the embedded PostgreSQL."""
import concurrent.futures
import hashlib
import re
import time
import uuid

import botocore.exceptions
import pytest

from conftest import (PASSWORD, UUID, error_of, make_client, psql,
                      secret_hash, unique_email, wrong)

NEW_PASSWORD = "N3w-Batt3ry-Staple!"
MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."
LIMIT = "Attempt limit exceeded, please try after some time."


def status_of(e):
    """The HTTP status of a botocore ClientError."""
    return e.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def app(idp, make_pool):
    """A pool that verifies e-mail automatically and a client without a
    secret: (pool, client id)."""
    up = make_pool(AutoVerifiedAttributes=["email"])
    return up, make_client(idp, up["Id"])["ClientId"]


def sign_up(idp, client_id, username, email=None, password=PASSWORD, **kw):
    attrs = kw.pop("UserAttributes", [])
    if email is not None:
        attrs = attrs + [{"Name": "email", "Value": email}]
    return idp.sign_up(ClientId=client_id, Username=username,
                       Password=password, UserAttributes=attrs, **kw)


def signed_up(server, idp, client_id, confirm=True):
    """A new user signed up with an e-mail address (and confirmed):
    (username, email)."""
    username = "user-%s" % uuid.uuid4().hex[:8]
    email = unique_email()
    sign_up(idp, client_id, username, email)
    if confirm:
        code = server.wait_code(email)
        idp.confirm_sign_up(ClientId=client_id, Username=username,
                            ConfirmationCode=code)
    return username, email


def password_auth(idp, client_id, username, password=PASSWORD):
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username,
                                             "PASSWORD": password})


# --- SignUp ------------------------------------------------------------------

def test_sign_up_sends_a_code_and_confirm_sign_up_confirms(server, idp, app):
    _, client_id = app
    email = unique_email("alice")
    r = sign_up(idp, client_id, "alice", email)
    assert r["UserConfirmed"] is False
    assert UUID.match(r["UserSub"]), r
    assert r["CodeDeliveryDetails"] == {
        "Destination": "a***@e***", "DeliveryMedium": "EMAIL",
        "AttributeName": "email"}
    msg = server.wait_message(email)
    assert msg["subject"] == "Your verification code"
    code = server.wait_code(email)
    assert re.match(r"^\d{6}$", code)
    assert idp.confirm_sign_up(ClientId=client_id, Username="alice",
                               ConfirmationCode=code)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="alice",
                            ConfirmationCode=code)
    assert error_of(e) == ("NotAuthorizedException", "User cannot be "
                           "confirmed. Current status is CONFIRMED")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="alice")
    assert error_of(e) == ("InvalidParameterException",
                           "User is already confirmed.")


def test_sign_up_with_the_aws_cli(server, idp, app):
    _, client_id = app
    email = unique_email("cli")
    r = server.aws("sign-up", "--client-id", client_id, "--username", "cli",
                   "--password", PASSWORD, "--user-attributes",
                   "Name=email,Value=%s" % email, "Name=name,Value=Cli User")
    assert r["UserConfirmed"] is False
    assert r["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = server.wait_code(email)
    assert server.aws("confirm-sign-up", "--client-id", client_id,
                      "--username", "cli", "--confirmation-code",
                      code) == {}
    name, msg = server.aws_error("confirm-sign-up", "--client-id", client_id,
                                 "--username", "nobody",
                                 "--confirmation-code", code)
    assert (name, msg) == ("UserNotFoundException",
                           "Username/client id combination not found.")


def test_codes_are_stored_only_as_digests(server, idp, app):
    up, client_id = app
    email = unique_email()
    sub = sign_up(idp, client_id, "digest", email)["UserSub"]
    code = server.wait_code(email)
    row = psql(server, "SELECT encode(code_hash, 'hex'), purpose, "
               "expires_at - created_at FROM codes WHERE pool_id = '%s' "
               "AND sub = '%s'" % (up["Id"], sub)).strip().split("|")
    assert row[1] == "signup"
    assert len(row[0]) == 64 and code not in row[0]
    assert row[0] != hashlib.sha256(code.encode()).hexdigest()
    assert abs(float(row[2]) - 86400) < 5
    # The message that carried the code is gone once delivered.
    deadline = time.monotonic() + 10
    while psql(server, "SELECT count(*) FROM messages WHERE pool_id = "
               "'%s'" % up["Id"]).strip() != "0":
        assert time.monotonic() < deadline, "message row kept"
        time.sleep(0.1)


def test_sign_up_of_an_existing_username(server, idp, app):
    _, client_id = app
    sign_up(idp, client_id, "bob", unique_email())
    for name in ("bob", "BOB"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            sign_up(idp, client_id, name, unique_email())
        assert error_of(e) == ("UsernameExistsException",
                               "User already exists")
        assert status_of(e.value) == 400


def test_sign_up_not_permitted_when_only_admins_create_users(idp, make_pool):
    up = make_pool(AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = make_client(idp, up["Id"])["ClientId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "carol", unique_email())
    assert error_of(e) == ("NotAuthorizedException",
                           "SignUp is not permitted for this user pool")


def test_sign_up_without_auto_verification_sends_nothing(server, idp,
                                                         make_pool):
    up = make_pool()
    client_id = make_client(idp, up["Id"])["ClientId"]
    email = unique_email()
    r = sign_up(idp, client_id, "dave", email)
    assert r["UserConfirmed"] is False
    assert "CodeDeliveryDetails" not in r
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="dave")
    assert error_of(e) == ("InvalidParameterException", "Cannot resend "
                           "codes. Auto verification not turned on.")
    assert server.messages(email) == []


def test_sign_up_checks_password_and_attributes(idp, app, make_pool):
    _, client_id = app
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "erin", unique_email(), password="Sh0rt!")
    assert error_of(e) == ("InvalidPasswordException", "Password did not "
                           "conform with policy: Password not long enough")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "erin", unique_email(),
                password="alllowercase1!")
    assert error_of(e) == ("InvalidPasswordException", "Password did not "
                           "conform with policy: Password must have "
                           "uppercase characters")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "erin", unique_email(),
                password=" " + PASSWORD)
    assert error_of(e)[0] == "InvalidParameterException"
    assert PASSWORD not in error_of(e)[1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "erin", "not-an-address")
    assert error_of(e) == ("InvalidParameterException",
                           "Invalid email address format.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "erin", unique_email(),
                UserAttributes=[{"Name": "email_verified",
                                 "Value": "true"}])
    assert error_of(e)[0] == "NotAuthorizedException"
    # None of these created the user.
    sign_up(idp, client_id, "erin", unique_email())


def test_sign_up_required_attributes(idp, make_pool):
    up = make_pool(Schema=[{"Name": "name", "AttributeDataType": "String",
                            "Required": True, "Mutable": True}])
    client_id = make_client(idp, up["Id"])["ClientId"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, "frank", unique_email())
    code, msg = error_of(e)
    assert code == "InvalidParameterException"
    assert "name" in msg and "required" in msg
    sign_up(idp, client_id, "frank", unique_email(),
            UserAttributes=[{"Name": "name", "Value": "Frank"}])


def test_sign_up_unknown_client(idp):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, "nosuchclient123", "gina", unique_email())
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool client nosuchclient123 does not "
                           "exist.")


def test_sign_up_with_email_as_username(server, idp, make_pool):
    up = make_pool(UsernameAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    email = unique_email("hank")
    r = idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    assert r["CodeDeliveryDetails"]["Destination"] == "h***@e***"
    sub = r["UserSub"]
    # The stored username is the sub; the address stays unique.
    row = psql(server, "SELECT username, attributes->>'email' FROM users "
               "WHERE pool_id = '%s'" % up["Id"]).strip()
    assert row == "%s|%s" % (sub, email)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.sign_up(ClientId=client_id, Username=email.upper(),
                    Password=PASSWORD)
    assert error_of(e) == ("UsernameExistsException",
                           "An account with the given email already "
                           "exists.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.sign_up(ClientId=client_id, Username="hank", Password=PASSWORD)
    assert error_of(e) == ("InvalidParameterException",
                           "Username should be an email.")
    code = server.wait_code(email)
    idp.confirm_sign_up(ClientId=client_id, Username=email,
                        ConfirmationCode=code)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username=email)
    assert error_of(e)[1] == "User is already confirmed."


def test_parallel_sign_ups_of_one_username_make_one_user(server, idp, app):
    up, client_id = app

    def attempt(i):
        try:
            sign_up(idp, client_id, "racer", unique_email("r%d" % i))
            return "ok"
        except botocore.exceptions.ClientError as e:
            return "%s %d %s" % (e.response["Error"]["Code"],
                                 status_of(e),
                                 e.response["Error"]["Message"])

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as ex:
        results = list(ex.map(attempt, range(50)))
    assert results.count("ok") == 1, results
    assert results.count("UsernameExistsException 400 User already "
                         "exists") == 49, results
    assert psql(server, "SELECT count(*) FROM users WHERE pool_id = '%s'"
                % up["Id"]).strip() == "1"
    # One code, for the one user.
    assert psql(server, "SELECT count(*) FROM codes WHERE pool_id = '%s'"
                % up["Id"]).strip() == "1"


# --- ConfirmSignUp -----------------------------------------------------------

def test_confirm_sign_up_wrong_and_expired_codes(server, idp, app):
    up, client_id = app
    email = unique_email()
    sub = sign_up(idp, client_id, "ivan", email)["UserSub"]
    code = server.wait_code(email)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="ivan",
                            ConfirmationCode=wrong(code))
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    psql(server, "UPDATE codes SET expires_at = 1 WHERE pool_id = '%s' AND "
         "sub = '%s'" % (up["Id"], sub))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="ivan",
                            ConfirmationCode=code)
    assert error_of(e) == ("ExpiredCodeException", EXPIRED)
    # A new code works; the expired one stays dead.
    r = idp.resend_confirmation_code(ClientId=client_id, Username="ivan")
    assert r["CodeDeliveryDetails"]["AttributeName"] == "email"
    code2 = server.wait_code(email, count=2)
    if code2 != code:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.confirm_sign_up(ClientId=client_id, Username="ivan",
                                ConfirmationCode=code)
        assert error_of(e)[0] == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=client_id, Username="ivan",
                        ConfirmationCode=code2)


def test_confirm_sign_up_attempt_limit(server, idp, app):
    _, client_id = app
    email = unique_email()
    sign_up(idp, client_id, "judy", email)
    code = server.wait_code(email)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.confirm_sign_up(ClientId=client_id, Username="judy",
                                ConfirmationCode=wrong(code))
        assert error_of(e) == ("CodeMismatchException", MISMATCH)
    # The code is dead now, even the right one.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="judy",
                            ConfirmationCode=code)
    assert error_of(e) == ("LimitExceededException", LIMIT)
    # Asking for a new code does not buy more guesses.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="judy")
    assert error_of(e) == ("LimitExceededException", LIMIT)


def test_parallel_wrong_guesses_are_all_counted(server, idp, app):
    _, client_id = app
    email = unique_email()
    sign_up(idp, client_id, "kate", email)
    code = server.wait_code(email)
    guesses = ["%06d" % n for n in range(20) if "%06d" % n != code][:16]

    def guess(g):
        try:
            idp.confirm_sign_up(ClientId=client_id, Username="kate",
                                ConfirmationCode=g)
            return "ok"
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as ex:
        results = list(ex.map(guess, guesses))
    assert results.count("CodeMismatchException") <= 5, results
    assert "ok" not in results
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="kate",
                            ConfirmationCode=code)
    assert error_of(e)[0] == "LimitExceededException"


def test_resend_confirmation_code_replaces_the_code(server, idp, app):
    _, client_id = app
    email = unique_email()
    sign_up(idp, client_id, "leo", email)
    first = server.wait_code(email)
    r = idp.resend_confirmation_code(ClientId=client_id, Username="leo")
    assert r["CodeDeliveryDetails"] == {
        "Destination": "u***@e***", "DeliveryMedium": "EMAIL",
        "AttributeName": "email"}
    second = server.wait_code(email, count=2)
    if first != second:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.confirm_sign_up(ClientId=client_id, Username="leo",
                                ConfirmationCode=first)
        assert error_of(e)[0] == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=client_id, Username="leo",
                        ConfirmationCode=second)


def test_confirm_sign_up_lets_the_user_sign_in(server, idp, app):
    _, client_id = app
    email = unique_email()
    sign_up(idp, client_id, "mia", email)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        password_auth(idp, client_id, "mia")
    assert error_of(e)[0] == "UserNotConfirmedException"
    idp.confirm_sign_up(ClientId=client_id, Username="mia",
                        ConfirmationCode=server.wait_code(email))
    r = password_auth(idp, client_id, "mia")
    assert "AccessToken" in r["AuthenticationResult"]


def test_confirm_sign_up_verifies_the_email_alias(server, idp, make_pool):
    up = make_pool(AliasAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    email = unique_email()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    assert error_of(e)[0] == "InvalidParameterException"
    sign_up(idp, client_id, "nina", email)
    row = psql(server, "SELECT status, alias_email FROM users WHERE "
               "pool_id = '%s'" % up["Id"]).strip()
    assert row == "UNCONFIRMED|"
    idp.confirm_sign_up(ClientId=client_id, Username="nina",
                        ConfirmationCode=server.wait_code(email))
    row = psql(server, "SELECT status, alias_email, attributes->>"
               "'email_verified' FROM users WHERE pool_id = '%s'"
               % up["Id"]).strip()
    assert row == "CONFIRMED|%s|true" % email.lower()
    # A second user with the same address cannot verify it...
    sign_up(idp, client_id, "nina2", email)
    code = server.wait_code(email, count=2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="nina2",
                            ConfirmationCode=code)
    assert error_of(e) == ("AliasExistsException", "An account with the "
                           "given email already exists.")
    # ...unless it asks to take the alias over.
    idp.confirm_sign_up(ClientId=client_id, Username="nina2",
                        ConfirmationCode=code, ForceAliasCreation=True)
    rows = psql(server, "SELECT username, coalesce(alias_email, '-'), "
                "attributes->>'email_verified' FROM users WHERE pool_id = "
                "'%s' ORDER BY username" % up["Id"]).split()
    assert rows == ["nina|-|false", "nina2|%s|true" % email.lower()]



def test_force_alias_creation_takes_nothing_when_the_user_changed(
        server, idp, make_pool):
    """ConfirmSignUp with ForceAliasCreation for a user changed while it
    runs: the confirmation does not happen, and the other user keeps the
    alias (it lost it, verified by nobody)."""
    up = make_pool(AliasAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    email = unique_email()
    sign_up(idp, client_id, "olaf", email)
    idp.confirm_sign_up(ClientId=client_id, Username="olaf",
                        ConfirmationCode=server.wait_code(email))
    sign_up(idp, client_id, "olaf2", email)
    code = server.wait_code(email, count=2)
    # A change of olaf2 that commits while the confirmation runs.
    change = concurrent.futures.ThreadPoolExecutor(1).submit(
        psql, server, "BEGIN; UPDATE users SET modified_at = modified_at "
        "+ 1 WHERE pool_id = '%s' AND username = 'olaf2'; SELECT "
        "pg_sleep(4); COMMIT;" % up["Id"])
    deadline = time.monotonic() + 30
    while psql(server, "SELECT count(*) FROM pg_stat_activity WHERE "
               "query LIKE '%%pg_sleep(4)%%' AND pid <> pg_backend_pid()"
               ).strip() != "1":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.3)                     # its UPDATE done, the sleep on
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="olaf2",
                            ConfirmationCode=code, ForceAliasCreation=True)
    change.result()
    assert error_of(e)[0] == "ConcurrentModificationException"
    rows = psql(server, "SELECT username, status, coalesce(alias_email, "
                "'-'), attributes->>'email_verified' FROM users WHERE "
                "pool_id = '%s' ORDER BY username" % up["Id"]).split()
    assert rows == ["olaf|CONFIRMED|%s|true" % email.lower(),
                    "olaf2|UNCONFIRMED|-|"]


# --- ForgotPassword / ConfirmForgotPassword ----------------------------------

def test_forgot_password_and_confirm(server, idp, app):
    up, client_id = app
    username, email = signed_up(server, idp, client_id)
    r = idp.forgot_password(ClientId=client_id, Username=username)
    assert r["CodeDeliveryDetails"] == {
        "Destination": "u***@e***", "DeliveryMedium": "EMAIL",
        "AttributeName": "email"}
    code = server.wait_code(email, count=2)
    ttl = psql(server, "SELECT expires_at - created_at FROM codes WHERE "
               "pool_id = '%s' AND purpose = 'reset'" % up["Id"])
    assert abs(float(ttl) - 3600) < 5
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                    ConfirmationCode=wrong(code),
                                    Password=NEW_PASSWORD)
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                    ConfirmationCode=code,
                                    Password="weakpassword")
    assert error_of(e)[0] == "InvalidPasswordException"
    idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                ConfirmationCode=code, Password=NEW_PASSWORD)
    # Single use.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                    ConfirmationCode=code,
                                    Password=PASSWORD)
    assert error_of(e) == ("ExpiredCodeException", EXPIRED)


def test_forgot_password_changes_the_password(server, idp, app):
    _, client_id = app
    username, email = signed_up(server, idp, client_id)
    idp.forgot_password(ClientId=client_id, Username=username)
    idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                ConfirmationCode=server.wait_code(
                                    email, count=2),
                                Password=NEW_PASSWORD)
    assert "AccessToken" in password_auth(idp, client_id, username,
                                          NEW_PASSWORD)["AuthenticationResult"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        password_auth(idp, client_id, username, PASSWORD)
    assert error_of(e)[0] == "NotAuthorizedException"


def test_forgot_password_expired_code(server, idp, app):
    up, client_id = app
    username, email = signed_up(server, idp, client_id)
    idp.forgot_password(ClientId=client_id, Username=username)
    code = server.wait_code(email, count=2)
    psql(server, "UPDATE codes SET expires_at = 1 WHERE pool_id = '%s' AND "
         "purpose = 'reset'" % up["Id"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                    ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert error_of(e) == ("ExpiredCodeException", EXPIRED)


def test_forgot_password_attempt_limit(server, idp, app):
    _, client_id = app
    username, email = signed_up(server, idp, client_id)
    idp.forgot_password(ClientId=client_id, Username=username)
    code = server.wait_code(email, count=2)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            idp.confirm_forgot_password(ClientId=client_id,
                                        Username=username,
                                        ConfirmationCode=wrong(code),
                                        Password=NEW_PASSWORD)
        assert error_of(e)[0] == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username=username,
                                    ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert error_of(e) == ("LimitExceededException", LIMIT)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username=username)
    assert error_of(e) == ("LimitExceededException", LIMIT)


def test_forgot_password_needs_a_verified_contact(server, idp, app):
    _, client_id = app
    username, _ = signed_up(server, idp, client_id, confirm=False)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username=username)
    assert error_of(e) == ("InvalidParameterException", "Cannot reset "
                           "password for the user as there is no "
                           "registered/verified email or phone_number")


def test_forgot_password_follows_account_recovery_setting(server, idp,
                                                          make_pool):
    up = make_pool(AutoVerifiedAttributes=["email"],
                   AccountRecoverySetting={"RecoveryMechanisms": [
                       {"Priority": 1, "Name": "verified_phone_number"}]})
    client_id = make_client(idp, up["Id"])["ClientId"]
    username, _ = signed_up(server, idp, client_id)
    # The verified e-mail address is not a recovery mechanism here.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username=username)
    assert error_of(e)[0] == "InvalidParameterException"


def test_forgot_password_by_email_alias(server, idp, make_pool):
    up = make_pool(AliasAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    username, email = signed_up(server, idp, client_id)
    r = idp.forgot_password(ClientId=client_id, Username=email.upper())
    assert r["CodeDeliveryDetails"]["AttributeName"] == "email"
    idp.confirm_forgot_password(ClientId=client_id, Username=email,
                                ConfirmationCode=server.wait_code(
                                    email, count=2),
                                Password=NEW_PASSWORD)


# --- User existence ----------------------------------------------------------

def test_unknown_user_legacy(idp, app):
    _, client_id = app
    for call in (lambda: idp.forgot_password(ClientId=client_id,
                                             Username="ghost"),
                 lambda: idp.resend_confirmation_code(ClientId=client_id,
                                                      Username="ghost"),
                 lambda: idp.confirm_sign_up(ClientId=client_id,
                                             Username="ghost",
                                             ConfirmationCode="123456"),
                 lambda: idp.confirm_forgot_password(
                     ClientId=client_id, Username="ghost",
                     ConfirmationCode="123456", Password=NEW_PASSWORD)):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            call()
        assert error_of(e) == ("UserNotFoundException",
                               "Username/client id combination not found.")


def test_prevent_user_existence_errors(server, idp, app):
    up, _ = app
    client_id = make_client(idp, up["Id"], PreventUserExistenceErrors=
                            "ENABLED")["ClientId"]
    for name in ("ghost", "ghost@example.org"):
        r1 = idp.forgot_password(ClientId=client_id, Username=name)
        r2 = idp.forgot_password(ClientId=client_id, Username=name)
        d = r1["CodeDeliveryDetails"]
        assert d == r2["CodeDeliveryDetails"]
        assert d["DeliveryMedium"] == "EMAIL"
        assert re.match(r"^\w\*\*\*@\w\*\*\*$", d["Destination"]), d
        r = idp.resend_confirmation_code(ClientId=client_id, Username=name)
        assert r["CodeDeliveryDetails"] == d
    r = idp.forgot_password(ClientId=client_id, Username="ghost@example.org")
    assert r["CodeDeliveryDetails"]["Destination"] == "g***@e***"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="ghost",
                            ConfirmationCode="123456")
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_forgot_password(ClientId=client_id, Username="ghost",
                                    ConfirmationCode="123456",
                                    Password=NEW_PASSWORD)
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    assert server.messages("ghost@example.org") == []


def test_confirm_without_a_code_answers_as_for_a_missing_user(idp,
                                                              make_pool):
    """Under PreventUserExistenceErrors, ConfirmSignUp for an
    unconfirmed user who has no live code (here: the pool sends none)
    answers as for a missing name, CodeMismatchException until the
    attempts end, not ExpiredCodeException, which told the user
    exists."""
    pid = make_pool()["Id"]
    cid = make_client(idp, pid, PreventUserExistenceErrors="ENABLED")[
        "ClientId"]
    there, missing = ("u-%s" % uuid.uuid4().hex[:8] for _ in range(2))
    sign_up(idp, cid, there, unique_email())

    def run(name):
        out = []
        for _ in range(6):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                idp.confirm_sign_up(ClientId=cid, Username=name,
                                    ConfirmationCode="123456")
            out.append(error_of(e))
        return out

    seen = run(there)
    assert seen[0] == ("CodeMismatchException", MISMATCH)
    assert seen[-1] == ("LimitExceededException", LIMIT)
    assert run(missing) == seen


# --- SecretHash --------------------------------------------------------------

def test_secret_hash_required_for_a_client_with_a_secret(server, idp, app):
    up, plain_id = app
    c = make_client(idp, up["Id"], GenerateSecret=True)
    cid, secret = c["ClientId"], c["ClientSecret"]
    email = unique_email()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, cid, "olga", email)
    assert error_of(e) == ("NotAuthorizedException", "Client %s is "
                           "configured for secret but secret was not "
                           "received" % cid)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, cid, "olga", email,
                SecretHash=secret_hash("someone", cid, secret))
    assert error_of(e) == ("NotAuthorizedException",
                           "Unable to verify secret hash for client %s" % cid)
    r = sign_up(idp, cid, "olga", email,
                SecretHash=secret_hash("olga", cid, secret))
    assert r["UserConfirmed"] is False
    code = server.wait_code(email)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=cid, Username="olga",
                            ConfirmationCode=code)
    assert error_of(e)[0] == "NotAuthorizedException"
    idp.confirm_sign_up(ClientId=cid, Username="olga", ConfirmationCode=code,
                        SecretHash=secret_hash("olga", cid, secret))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.forgot_password(ClientId=cid, Username="olga",
                            SecretHash=secret_hash("olga", cid, "x" * 52))
    assert error_of(e)[0] == "NotAuthorizedException"
    idp.forgot_password(ClientId=cid, Username="olga",
                        SecretHash=secret_hash("olga", cid, secret))
    # A client without a secret refuses a SecretHash.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.forgot_password(ClientId=plain_id, Username="olga",
                            SecretHash=secret_hash("olga", plain_id, secret))
    assert error_of(e) == ("InvalidParameterException", "App client %s is "
                           "not configured for secret but secret hash was "
                           "received" % plain_id)


# --- Bad input ---------------------------------------------------------------

def test_bad_input_is_a_400(server, app):
    _, client_id = app
    cases = [
        ("SignUp", {"ClientId": client_id}, "InvalidParameterException"),
        ("SignUp", {"ClientId": client_id, "Username": "x",
                    "Password": PASSWORD, "UserAttributes": "no"},
         "SerializationException"),
        ("SignUp", {"ClientId": client_id, "Username": "x",
                    "Password": PASSWORD,
                    "UserAttributes": [{"Value": "v"}]},
         "InvalidParameterException"),
        ("ConfirmSignUp", {"ClientId": client_id, "Username": "x",
                           "ConfirmationCode": "12 34"},
         "InvalidParameterException"),
        ("ConfirmForgotPassword", {"ClientId": client_id, "Username": "x",
                                   "ConfirmationCode": "123456"},
         "InvalidParameterException"),
        ("ForgotPassword", {"ClientId": "bad id!", "Username": "x"},
         "InvalidParameterException"),
        ("GetUser", {"AccessToken": "not a token"},
         "InvalidParameterException"),
        ("GetUser", {"AccessToken": "abc.def.ghi"}, "NotAuthorizedException"),
    ]
    for target, payload, exc in cases:
        r = server.api(target, payload, signed=False)
        assert r.status == 400, (target, payload, r)
        assert r.json()["__type"] == exc, (target, payload, r.json())


def test_sign_up_codes_by_sms_and_the_email_preference(server, idp,
                                                       make_pool):
    up = make_pool(AutoVerifiedAttributes=["phone_number"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    phone = "+1555%07d" % (uuid.uuid4().int % 10000000)
    r = sign_up(idp, client_id, "pat", UserAttributes=[
        {"Name": "phone_number", "Value": phone}])
    assert r["CodeDeliveryDetails"] == {
        "Destination": "+*******" + phone[-4:], "DeliveryMedium": "SMS",
        "AttributeName": "phone_number"}
    idp.confirm_sign_up(ClientId=client_id, Username="pat",
                        ConfirmationCode=server.wait_code(phone))
    # A verified phone number is where a reset code goes by default.
    r = idp.forgot_password(ClientId=client_id, Username="pat")
    assert r["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"
    # With both verified automatically, e-mail is preferred.
    up = make_pool(AutoVerifiedAttributes=["phone_number", "email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    r = sign_up(idp, client_id, "quinn", unique_email("q"), UserAttributes=[
        {"Name": "phone_number", "Value": phone}])
    assert r["CodeDeliveryDetails"]["Destination"] == "q***@e***"
