"""What a signed-in user does to their own account with an access token,
through unmodified clients (boto3, the AWS CLI): GetUser,
UpdateUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute, DeleteUserAttributes, DeleteUser, ChangePassword;
and ConfirmForgotPassword revoking the user's refresh tokens. Users are
made as an app makes them: SignUp, the code from the outbox,
ConfirmSignUp, then InitiateAuth with USER_PASSWORD_AUTH."""
import uuid

import botocore.exceptions
import pytest

from conftest import (APP_FLOWS, PASSWORD, attrs_of, error_of, make_client, psql,
                      unique_email, wrong)

NEW_PASSWORD = "N3w-Batt3ry-Staple!"
MISMATCH = "Invalid verification code provided, please try again."
LIMIT = "Attempt limit exceeded, please try after some time."


class User:
    """A confirmed, signed-in user of a client."""

    def __init__(self, server, idp, client_id, username=None, email=None):
        self.server, self.idp, self.client_id = server, idp, client_id
        self.username = username or "user-%s" % uuid.uuid4().hex[:8]
        self.email = email or unique_email()
        r = idp.sign_up(ClientId=client_id, Username=self.username,
                        Password=PASSWORD, UserAttributes=[
                            {"Name": "email", "Value": self.email}])
        self.sub = r["UserSub"]
        idp.confirm_sign_up(ClientId=client_id, Username=self.username,
                            ConfirmationCode=server.wait_code(self.email))
        self.sign_in()

    def sign_in(self, password=PASSWORD):
        r = self.idp.initiate_auth(
            ClientId=self.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username,
                            "PASSWORD": password})["AuthenticationResult"]
        self.access, self.refresh = r["AccessToken"], r["RefreshToken"]
        return r

    def get(self):
        return self.idp.get_user(AccessToken=self.access)


@pytest.fixture
def app(idp, make_pool):
    """A pool that verifies e-mail automatically, with a custom
    attribute, and a client: (pool, client id)."""
    up = make_pool(AutoVerifiedAttributes=["email"], Schema=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": True},
        {"Name": "tenant", "AttributeDataType": "String",
         "Mutable": False}])
    return up, make_client(idp, up["Id"])["ClientId"]


@pytest.fixture
def user(server, idp, app):
    return User(server, idp, app[1])


# --- GetUser -----------------------------------------------------------------

def test_get_user(user):
    r = user.get()
    assert r["Username"] == user.username
    assert r["UserAttributes"][0] == {"Name": "sub", "Value": user.sub}
    assert attrs_of(r) == {"sub": user.sub, "email": user.email,
                           "email_verified": "true"}


def test_get_user_with_the_aws_cli(server, user):
    r = server.aws("get-user", "--access-token", user.access)
    assert r["Username"] == user.username
    name, msg = server.aws_error("get-user", "--access-token",
                                 user.access[:-4] + "AAAA")
    assert name == "NotAuthorizedException"


def test_get_user_limited_to_the_clients_read_attributes(server, idp, app):
    up, _ = app
    cid = make_client(idp, up["Id"], ReadAttributes=["email"])["ClientId"]
    u = User(server, idp, cid)
    assert attrs_of(u.get()) == {"sub": u.sub, "email": u.email}


def test_changed_settings_apply_at_once(idp, app, user):
    """Configuration is cached by each worker, keyed by its text: a
    change is seen by the next request, whichever worker answers."""
    up, cid = app
    for _ in range(4):
        assert "email_verified" in attrs_of(user.get())
    idp.update_user_pool_client(UserPoolId=up["Id"], ClientId=cid,
                                ExplicitAuthFlows=APP_FLOWS,
                                ReadAttributes=["email"])
    for _ in range(4):
        assert attrs_of(user.get()) == {"sub": user.sub, "email": user.email}
    idp.update_user_pool(UserPoolId=up["Id"], AutoVerifiedAttributes=["email"],
                         Policies={"PasswordPolicy": {"MinimumLength": 30}})
    for _ in range(4):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            user.idp.change_password(AccessToken=user.access,
                                     PreviousPassword=PASSWORD,
                                     ProposedPassword=NEW_PASSWORD)
        assert error_of(e)[0] == "InvalidPasswordException"


def test_get_user_with_a_bad_token(idp):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.get_user(AccessToken="eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    assert error_of(e)[0] == "NotAuthorizedException"


def test_email_as_username_reports_the_sub(server, idp, make_pool):
    up = make_pool(UsernameAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    cid = make_client(idp, up["Id"])["ClientId"]
    email = unique_email()
    sub = idp.sign_up(ClientId=cid, Username=email,
                      Password=PASSWORD)["UserSub"]
    idp.confirm_sign_up(ClientId=cid, Username=email,
                        ConfirmationCode=server.wait_code(email))
    tok = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": email,
                                            "PASSWORD": PASSWORD})[
        "AuthenticationResult"]["AccessToken"]
    r = idp.get_user(AccessToken=tok)
    assert r["Username"] == sub
    assert attrs_of(r)["email"] == email


# --- UpdateUserAttributes / VerifyUserAttribute ------------------------------

def test_update_user_attributes(user):
    r = user.idp.update_user_attributes(
        AccessToken=user.access, UserAttributes=[
            {"Name": "name", "Value": "Ada Lovelace"},
            {"Name": "custom:plan", "Value": "pro"}])
    assert r.get("CodeDeliveryDetailsList", []) == []
    a = attrs_of(user.get())
    assert a["name"] == "Ada Lovelace" and a["custom:plan"] == "pro"
    assert a["email_verified"] == "true"


def test_changed_email_must_be_verified_again(server, user):
    new = unique_email("new")
    r = user.idp.update_user_attributes(
        AccessToken=user.access,
        UserAttributes=[{"Name": "email", "Value": new}])
    assert r["CodeDeliveryDetailsList"] == [{
        "Destination": "n***@e***", "DeliveryMedium": "EMAIL",
        "AttributeName": "email"}]
    a = attrs_of(user.get())
    assert a["email"] == new and a["email_verified"] == "false"
    code = server.wait_code(new)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.verify_user_attribute(AccessToken=user.access,
                                       AttributeName="email",
                                       Code=wrong(code))
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    user.idp.verify_user_attribute(AccessToken=user.access,
                                   AttributeName="email", Code=code)
    assert attrs_of(user.get())["email_verified"] == "true"
    # Single use.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.verify_user_attribute(AccessToken=user.access,
                                       AttributeName="email", Code=code)
    assert error_of(e)[0] == "ExpiredCodeException"


def test_a_code_verifies_only_the_address_it_was_sent_to(server, user):
    r = user.idp.get_user_attribute_verification_code(
        AccessToken=user.access, AttributeName="email")
    assert r["CodeDeliveryDetails"]["AttributeName"] == "email"
    code = server.wait_code(user.email, count=2)
    # The address changes behind the code's back (as an administrator or
    # another client could change it): the old code is worthless.
    psql(server, "UPDATE users SET attributes = attributes || "
         "'{\"email\": \"other@example.net\", \"email_verified\": "
         "\"false\"}' WHERE sub = '%s'" % user.sub)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.verify_user_attribute(AccessToken=user.access,
                                       AttributeName="email", Code=code)
    assert error_of(e) == ("CodeMismatchException", MISMATCH)
    assert attrs_of(user.get())["email_verified"] == "false"


def test_update_refuses_what_the_client_may_not_write(user):
    cases = [
        ([{"Name": "email_verified", "Value": "true"}],
         "NotAuthorizedException"),
        ([{"Name": "custom:tenant", "Value": "x"}],
         "InvalidParameterException"),
        ([{"Name": "custom:nope", "Value": "x"}],
         "InvalidParameterException"),
        ([{"Name": "email", "Value": "not an address"}],
         "InvalidParameterException"),
        ([{"Name": "sub", "Value": str(uuid.uuid4())}],
         "InvalidParameterException"),
    ]
    for attrs, exc in cases:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            user.idp.update_user_attributes(AccessToken=user.access,
                                            UserAttributes=attrs)
        assert error_of(e)[0] == exc, (attrs, error_of(e))
    assert attrs_of(user.get()) == {"sub": user.sub, "email": user.email,
                                    "email_verified": "true"}


def test_update_to_another_users_alias(server, idp, make_pool):
    up = make_pool(AliasAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    cid = make_client(idp, up["Id"])["ClientId"]
    a = User(server, idp, cid)
    b = User(server, idp, cid)
    # b may claim a's address, but cannot verify it while a has it.
    idp.update_user_attributes(AccessToken=b.access, UserAttributes=[
        {"Name": "email", "Value": a.email}])
    code = server.wait_code(a.email, count=2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.verify_user_attribute(AccessToken=b.access,
                                  AttributeName="email", Code=code)
    assert error_of(e) == ("AliasExistsException", "An account with the "
                           "given email already exists.")
    # Sign-in by the address is still a's.
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": a.email,
                                          "PASSWORD": PASSWORD})
    tok = r["AuthenticationResult"]["AccessToken"]
    assert idp.get_user(AccessToken=tok)["Username"] == a.username


def test_email_as_username_cannot_take_another_users_email(server, idp,
                                                            make_pool):
    up = make_pool(UsernameAttributes=["email"],
                   AutoVerifiedAttributes=["email"])
    cid = make_client(idp, up["Id"])["ClientId"]
    emails = [unique_email(), unique_email()]
    toks = []
    for email in emails:
        idp.sign_up(ClientId=cid, Username=email, Password=PASSWORD)
        idp.confirm_sign_up(ClientId=cid, Username=email,
                            ConfirmationCode=server.wait_code(email))
        toks.append(idp.initiate_auth(
            ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})[
            "AuthenticationResult"]["AccessToken"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.update_user_attributes(AccessToken=toks[1], UserAttributes=[
            {"Name": "email", "Value": emails[0].upper()}])
    assert error_of(e) == ("AliasExistsException", "An account with the "
                           "given email already exists.")


# --- GetUserAttributeVerificationCode ----------------------------------------

def test_get_user_attribute_verification_code(server, user):
    r = user.idp.get_user_attribute_verification_code(
        AccessToken=user.access, AttributeName="email")
    assert r["CodeDeliveryDetails"] == {
        "Destination": "u***@e***", "DeliveryMedium": "EMAIL",
        "AttributeName": "email"}
    code = server.wait_code(user.email, count=2)
    user.idp.verify_user_attribute(AccessToken=user.access,
                                   AttributeName="email", Code=code)
    for name in ("name", "phone_number"):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            user.idp.get_user_attribute_verification_code(
                AccessToken=user.access, AttributeName=name)
        assert error_of(e)[0] == "InvalidParameterException"


def test_verify_user_attribute_attempt_limit(server, user):
    user.idp.get_user_attribute_verification_code(
        AccessToken=user.access, AttributeName="email")
    code = server.wait_code(user.email, count=2)
    for _ in range(5):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            user.idp.verify_user_attribute(AccessToken=user.access,
                                           AttributeName="email",
                                           Code=wrong(code))
        assert error_of(e)[0] == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.verify_user_attribute(AccessToken=user.access,
                                       AttributeName="email", Code=code)
    assert error_of(e) == ("LimitExceededException", LIMIT)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.get_user_attribute_verification_code(
            AccessToken=user.access, AttributeName="email")
    assert error_of(e) == ("LimitExceededException", LIMIT)


# --- DeleteUserAttributes ----------------------------------------------------

def test_delete_user_attributes(user):
    user.idp.update_user_attributes(AccessToken=user.access, UserAttributes=[
        {"Name": "name", "Value": "Grace"},
        {"Name": "custom:plan", "Value": "free"}])
    user.idp.delete_user_attributes(AccessToken=user.access,
                                    UserAttributeNames=["name",
                                                        "custom:plan"])
    assert attrs_of(user.get()) == {"sub": user.sub, "email": user.email,
                                    "email_verified": "true"}
    user.idp.delete_user_attributes(AccessToken=user.access,
                                    UserAttributeNames=["email"])
    assert attrs_of(user.get()) == {"sub": user.sub}
    for names in (["sub"], ["custom:nope"], ["custom:tenant"]):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            user.idp.delete_user_attributes(AccessToken=user.access,
                                            UserAttributeNames=names)
        assert error_of(e)[0] == "InvalidParameterException", names


def test_delete_required_attribute(server, idp, make_pool):
    up = make_pool(AutoVerifiedAttributes=["email"], Schema=[
        {"Name": "email", "AttributeDataType": "String", "Required": True,
         "Mutable": True}])
    u = User(server, idp, make_client(idp, up["Id"])["ClientId"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.delete_user_attributes(AccessToken=u.access,
                                   UserAttributeNames=["email"])
    assert error_of(e)[0] == "InvalidParameterException"
    assert attrs_of(u.get())["email"] == u.email


# --- ChangePassword ----------------------------------------------------------

def test_change_password(user):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.change_password(AccessToken=user.access,
                                 PreviousPassword="Wr0ng-Password!",
                                 ProposedPassword=NEW_PASSWORD)
    assert error_of(e) == ("NotAuthorizedException",
                           "Incorrect username or password.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.idp.change_password(AccessToken=user.access,
                                 PreviousPassword=PASSWORD,
                                 ProposedPassword="weak")
    assert error_of(e)[0] == "InvalidPasswordException"
    user.idp.change_password(AccessToken=user.access,
                             PreviousPassword=PASSWORD,
                             ProposedPassword=NEW_PASSWORD)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        user.sign_in(PASSWORD)
    assert error_of(e)[0] == "NotAuthorizedException"
    user.sign_in(NEW_PASSWORD)


def test_change_password_with_the_aws_cli(server, user):
    assert server.aws("change-password", "--access-token", user.access,
                      "--previous-password", PASSWORD,
                      "--proposed-password", NEW_PASSWORD) == {}
    user.sign_in(NEW_PASSWORD)


# --- DeleteUser --------------------------------------------------------------

def test_delete_user(server, idp, app):
    _, cid = app
    u = User(server, idp, cid, username="leaving")
    idp.delete_user(AccessToken=u.access)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.get_user(AccessToken=u.access)
    assert error_of(e)[0] == "NotAuthorizedException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        u.sign_in()
    assert error_of(e)[0] in ("NotAuthorizedException",
                              "UserNotFoundException")
    # The name is free again.
    User(server, idp, cid, username="leaving")


# --- Refresh tokens after a password reset -----------------------------------

def test_confirm_forgot_password_revokes_refresh_tokens(server, user):
    idp, cid = user.idp, user.client_id
    idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": user.refresh})
    idp.forgot_password(ClientId=cid, Username=user.username)
    code = server.wait_code(user.email, count=2)
    idp.confirm_forgot_password(ClientId=cid, Username=user.username,
                                ConfirmationCode=code, Password=NEW_PASSWORD)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": user.refresh})
    assert error_of(e)[0] == "NotAuthorizedException"
    user.sign_in(NEW_PASSWORD)
    assert user.get()["Username"] == user.username
