"""The administrator's user operations with unmodified clients (the AWS CLI
and boto3): AdminCreateUser (invitations read from the daemon's outbox),
AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminConfirmSignUp,
AdminSetUserPassword, AdminResetUserPassword and ListUsers (every
searchable attribute, paging over more than two pages), in pools that
sign in by username, by email, or with aliases."""
import concurrent.futures
import json
import re
import threading
import uuid

import botocore.exceptions
import pytest

from conftest import UUID, attrs_of, error_of, psql, unique_email

TEMP_PASSWORD = "Temp#Pass1"
INVITE = re.compile(r"Your username is (\S+) and temporary password is "
                    r"(\S+)\. ")


def create(idp, pool_id, username, attrs=None, **kwargs):
    kwargs.setdefault("MessageAction", "SUPPRESS")
    kwargs.setdefault("TemporaryPassword", TEMP_PASSWORD)
    return idp.admin_create_user(
        UserPoolId=pool_id, Username=username,
        UserAttributes=[{"Name": k, "Value": v}
                        for k, v in (attrs or {}).items()],
        **kwargs)["User"]


# --- AdminCreateUser ------------------------------------------------------


def test_create_with_temporary_password(server, pool):
    email = unique_email("alice")
    out = server.aws("admin-create-user", "--user-pool-id", pool["Id"],
                     "--username", "alice", "--temporary-password",
                     TEMP_PASSWORD, "--user-attributes",
                     "Name=email,Value=%s" % email, "Name=name,Value=Alice",
                     "--desired-delivery-mediums", "EMAIL")
    user = out["User"]
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    attrs = attrs_of(user)
    assert UUID.match(attrs["sub"])
    assert attrs["email"] == email
    assert attrs["name"] == "Alice"
    assert user["UserCreateDate"] == user["UserLastModifiedDate"]
    msg = server.wait_message(email)
    assert msg["subject"] == "Your temporary password"
    m = INVITE.search(msg["body"])
    assert m and m.groups() == ("alice", TEMP_PASSWORD), msg["body"]

    got = server.aws("admin-get-user", "--user-pool-id", pool["Id"],
                     "--username", "alice")
    assert got["Username"] == "alice"
    assert attrs_of(got) == attrs
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_create_generates_a_password_within_the_policy(server, idp,
                                                       make_pool):
    pool_id = make_pool(Policies={"PasswordPolicy": {
        "MinimumLength": 12, "RequireUppercase": True,
        "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True}})["Id"]
    email = unique_email("gen")
    idp.admin_create_user(
        UserPoolId=pool_id, Username="gen",
        UserAttributes=[{"Name": "email", "Value": email}],
        DesiredDeliveryMediums=["EMAIL"])
    m = INVITE.search(server.wait_message(email)["body"])
    assert m, server.messages(email)
    password = m.group(2)
    assert len(password) >= 12
    assert re.search(r"[A-Z]", password) and re.search(r"[a-z]", password)
    assert re.search(r"[0-9]", password)
    assert re.search(r"[^A-Za-z0-9]", password)
    # The generated password is the user's: setting it again is accepted.
    idp.admin_set_user_password(UserPoolId=pool_id, Username="gen",
                                Password=password, Permanent=True)


def test_create_sends_nothing_when_suppressed_or_without_a_phone(
        server, idp, pool):
    email = unique_email("quiet")
    create(idp, pool["Id"], "quiet", {"email": email})
    # Cognito's default medium is SMS: a user without a phone number
    # gets no invitation.
    idp.admin_create_user(
        UserPoolId=pool["Id"], Username="nophone",
        UserAttributes=[{"Name": "email", "Value": email}])
    phone = "+1415555%04d" % (uuid.uuid4().int % 10000)
    idp.admin_create_user(
        UserPoolId=pool["Id"], Username="sms",
        UserAttributes=[{"Name": "phone_number", "Value": phone}])
    server.wait_message(phone)
    assert server.messages(email) == []


def test_create_medium_needs_its_attribute(server, idp, pool):
    name, msg = server.aws_error(
        "admin-create-user", "--user-pool-id", pool["Id"], "--username",
        "bob", "--desired-delivery-mediums", "EMAIL")
    assert name == "InvalidParameterException"
    assert msg == "No email provided but desired delivery medium was Email"
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool["Id"], Username="bob")


def test_duplicate_username(server, idp, pool):
    create(idp, pool["Id"], "dup")
    name, msg = server.aws_error(
        "admin-create-user", "--user-pool-id", pool["Id"], "--username",
        "dup", "--message-action", "SUPPRESS")
    assert (name, msg) == ("UsernameExistsException",
                           "User account already exists")
    # Usernames are case-insensitive by default: "DUP" is the same user.
    with pytest.raises(idp.exceptions.UsernameExistsException):
        create(idp, pool["Id"], "DUP")


def test_weak_temporary_password(server, idp, pool):
    name, msg = server.aws_error(
        "admin-create-user", "--user-pool-id", pool["Id"], "--username",
        "weak", "--temporary-password", "short", "--message-action",
        "SUPPRESS")
    assert name == "InvalidPasswordException"
    assert msg.startswith("Password did not conform with policy")
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_create_user(UserPoolId=pool["Id"], Username="weak",
                              TemporaryPassword="alllowercase1!",
                              MessageAction="SUPPRESS")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool["Id"], Username="weak")


def test_bad_attributes(server, idp, pool):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "bad", {"favourite_colour": "blue"})
    assert error_of(e) == (
        "InvalidParameterException", "Attributes did not conform to the "
        "schema: favourite_colour: Attribute does not exist in the schema.\n")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "bad", {"email": "not an email"})
    assert error_of(e) == ("InvalidParameterException",
                           "Invalid email address format.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "bad", {"phone_number": "555-1234"})
    assert error_of(e) == ("InvalidParameterException",
                           "Invalid phone number format.")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "bad", {"email_verified": "yes"})
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "bad", {"sub": str(uuid.uuid4())})
    assert "sub: Attribute cannot be updated." in error_of(e)[1]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool["Id"], "has space")
    assert error_of(e)[0] == "InvalidParameterException"
    assert idp.list_users(UserPoolId=pool["Id"])["Users"] == []


def test_custom_attribute_constraints(server, idp, make_pool):
    pool_id = make_pool(Schema=[
        {"Name": "plan", "AttributeDataType": "String",
         "StringAttributeConstraints": {"MinLength": "1",
                                        "MaxLength": "6"}},
        {"Name": "age", "AttributeDataType": "Number",
         "NumberAttributeConstraints": {"MinValue": "0",
                                        "MaxValue": "150"}},
        {"Name": "tenant", "AttributeDataType": "String",
         "Mutable": False}])["Id"]
    user = create(idp, pool_id, "c1", {"custom:plan": "gold",
                                       "custom:age": "42",
                                       "custom:tenant": "acme"})
    assert attrs_of(user)["custom:tenant"] == "acme"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool_id, "c2", {"custom:plan": "platinum",
                                    "custom:age": "200"})
    code, msg = error_of(e)
    assert code == "InvalidParameterException"
    assert msg.startswith("Attributes did not conform to the schema: ")
    assert "custom:plan: String must be no longer than 6 characters" in msg
    assert "custom:age: Number must be no greater than 150" in msg


def test_required_attribute_missing(server, idp, make_pool):
    pool_id = make_pool(Schema=[{"Name": "email", "AttributeDataType":
                                 "String", "Required": True}])["Id"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool_id, "noemail", {"name": "No Email"})
    assert error_of(e) == ("InvalidParameterException",
                           "Attributes did not conform to the schema: "
                           "email: The attribute is required\n")
    create(idp, pool_id, "withemail", {"email": unique_email()})
    # A required attribute cannot be deleted.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.admin_delete_user_attributes(UserPoolId=pool_id,
                                         Username="withemail",
                                         UserAttributeNames=["email"])
    assert error_of(e) == ("InvalidParameterException",
                           "Invalid user attributes: email: Required "
                           "attribute cannot be deleted.")


def test_unknown_pool(server, idp):
    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.admin_get_user(UserPoolId="us-east-1_nopenope0",
                           Username="x")
    assert error_of(e)[1] == "User pool us-east-1_nopenope0 does not exist."
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.list_users(UserPoolId="us-east-1_nopenope0")
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        create(idp, "us-east-1_nopenope0", "x")


# --- Pools that sign in by email, aliases, case ---------------------------


def test_email_as_username(server, idp, make_pool):
    pool_id = make_pool(UsernameAttributes=["email"])["Id"]
    email = unique_email("Mixed")
    out = server.aws("admin-create-user", "--user-pool-id", pool_id,
                     "--username", email, "--temporary-password",
                     TEMP_PASSWORD, "--desired-delivery-mediums", "EMAIL")
    user = out["User"]
    attrs = attrs_of(user)
    assert UUID.match(user["Username"])
    assert user["Username"] == attrs["sub"]
    assert attrs["email"] == email
    # The invitation names the sign-in name, not the internal one.
    m = INVITE.search(server.wait_message(email)["body"])
    assert m and m.group(1) == email
    # The email finds the user, whatever its case; so does the sub.
    for name in (email, email.upper(), user["Username"]):
        got = idp.admin_get_user(UserPoolId=pool_id, Username=name)
        assert got["Username"] == user["Username"]
    # The email is taken now.
    with pytest.raises(idp.exceptions.UsernameExistsException) as e:
        create(idp, pool_id, email.lower())
    assert error_of(e)[1] == "An account with the given email already " \
        "exists."
    name, msg = server.aws_error("admin-create-user", "--user-pool-id",
                                 pool_id, "--username", "bob")
    assert (name, msg) == ("InvalidParameterException",
                           "Username should be an email.")


def test_phone_or_email_as_username(server, idp, make_pool):
    pool_id = make_pool(UsernameAttributes=["email", "phone_number"])["Id"]
    user = create(idp, pool_id, "+14155550123")
    assert attrs_of(user)["phone_number"] == "+14155550123"
    got = idp.admin_get_user(UserPoolId=pool_id, Username="+14155550123")
    assert got["Username"] == user["Username"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool_id, "bob")
    assert error_of(e) == ("InvalidParameterException", "Username should "
                           "be either an email or a phone number.")


def test_alias_uniqueness_and_force_alias_creation(server, idp, make_pool):
    pool_id = make_pool(AliasAttributes=["email", "preferred_username"])["Id"]
    email = unique_email("alias")
    create(idp, pool_id, "first", {"email": email,
                                   "email_verified": "true"})
    got = idp.admin_get_user(UserPoolId=pool_id, Username=email.upper())
    assert got["Username"] == "first"
    with pytest.raises(idp.exceptions.AliasExistsException) as e:
        create(idp, pool_id, "second", {"email": email,
                                        "email_verified": "true"})
    assert error_of(e)[1] == "An account with the given email already " \
        "exists."
    # An unverified copy of the email is no alias, and no conflict.
    create(idp, pool_id, "third", {"email": email})
    second = create(idp, pool_id, "second", {"email": email,
                                             "email_verified": "true"},
                    ForceAliasCreation=True)
    assert second["Username"] == "second"
    got = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    assert got["Username"] == "second"
    first = attrs_of(idp.admin_get_user(UserPoolId=pool_id,
                                        Username="first"))
    assert first["email"] == email and first["email_verified"] == "false"
    # A username may not look like an email in an email-alias pool.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        create(idp, pool_id, unique_email())
    assert error_of(e) == ("InvalidParameterException", "Username cannot be "
                           "of email format, since user pool is configured "
                           "for email alias.")


def test_get_user_by_preferred_username(server, idp, make_pool):
    pool_id = make_pool(AliasAttributes=["preferred_username"])["Id"]
    create(idp, pool_id, "carol", {"preferred_username": "CarolTheGreat"})
    got = idp.admin_get_user(UserPoolId=pool_id, Username="caroltheGREAT")
    assert got["Username"] == "carol"
    with pytest.raises(idp.exceptions.AliasExistsException):
        create(idp, pool_id, "dave", {"preferred_username": "carolthegreat"})
    # The alias moves with the attribute.
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="carol",
        UserAttributes=[{"Name": "preferred_username", "Value": "Caz"}])
    assert idp.admin_get_user(UserPoolId=pool_id,
                              Username="caz")["Username"] == "carol"
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool_id, Username="CarolTheGreat")


def test_case_insensitive_and_case_sensitive_pools(server, idp, make_pool):
    insensitive = make_pool(
        UsernameConfiguration={"CaseSensitive": False})["Id"]
    create(idp, insensitive, "Alice")
    got = idp.admin_get_user(UserPoolId=insensitive, Username="aLICE")
    assert got["Username"] == "Alice"

    sensitive = make_pool(UsernameConfiguration={"CaseSensitive": True})["Id"]
    create(idp, sensitive, "Alice")
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.admin_get_user(UserPoolId=sensitive, Username="ALICE")
    assert error_of(e)[1] == "User does not exist."
    create(idp, sensitive, "alice")
    names = sorted(u["Username"] for u in
                   idp.list_users(UserPoolId=sensitive)["Users"])
    assert names == ["Alice", "alice"]
    got = idp.list_users(UserPoolId=sensitive,
                         Filter='username = "Alice"')["Users"]
    assert [u["Username"] for u in got] == ["Alice"]
    got = idp.list_users(UserPoolId=insensitive,
                         Filter='username = "ALICE"')["Users"]
    assert [u["Username"] for u in got] == ["Alice"]


# --- Status and attribute changes -----------------------------------------


def test_disable_enable_delete(server, idp, pool):
    create(idp, pool["Id"], "eve")
    server.aws("admin-disable-user", "--user-pool-id", pool["Id"],
               "--username", "EVE")
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="eve")
    assert got["Enabled"] is False
    assert got["UserLastModifiedDate"] >= got["UserCreateDate"]
    server.aws("admin-enable-user", "--user-pool-id", pool["Id"],
               "--username", "eve")
    assert idp.admin_get_user(UserPoolId=pool["Id"],
                              Username="eve")["Enabled"] is True
    server.aws("admin-delete-user", "--user-pool-id", pool["Id"],
               "--username", "eve")
    # The CLI for AdminGetUser and the two operations it drives nowhere
    # else; boto3 for the three whose success it drove just above.
    for op in ("admin-get-user", "admin-confirm-sign-up",
               "admin-reset-user-password"):
        name, msg = server.aws_error(op, "--user-pool-id", pool["Id"],
                                     "--username", "eve")
        assert (name, msg) == ("UserNotFoundException",
                               "User does not exist."), op
    for call in (idp.admin_delete_user, idp.admin_disable_user,
                 idp.admin_enable_user):
        with pytest.raises(idp.exceptions.UserNotFoundException) as e:
            call(UserPoolId=pool["Id"], Username="eve")
        assert error_of(e) == ("UserNotFoundException",
                               "User does not exist."), call


def test_update_and_delete_attributes(server, idp, make_pool):
    pool_id = make_pool(Schema=[{"Name": "tenant", "AttributeDataType":
                                 "String", "Mutable": False}])["Id"]
    email = unique_email("upd")
    create(idp, pool_id, "frank", {"email": email, "email_verified": "true",
                                   "custom:tenant": "acme",
                                   "name": "Frank"})
    server.aws("admin-update-user-attributes", "--user-pool-id", pool_id,
               "--username", "frank", "--user-attributes",
               "Name=given_name,Value=Franky", "Name=name,Value=F.")
    attrs = attrs_of(idp.admin_get_user(UserPoolId=pool_id,
                                        Username="frank"))
    assert attrs["given_name"] == "Franky" and attrs["name"] == "F."
    assert attrs["email_verified"] == "true"

    name, msg = server.aws_error(
        "admin-update-user-attributes", "--user-pool-id", pool_id,
        "--username", "frank", "--user-attributes",
        "Name=custom:tenant,Value=other")
    assert name == "InvalidParameterException"
    assert "custom:tenant: Attribute cannot be updated." in msg
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.admin_update_user_attributes(
            UserPoolId=pool_id, Username="frank",
            UserAttributes=[{"Name": "nope", "Value": "x"}])
    assert "nope: Attribute does not exist in the schema." in error_of(e)[1]

    # A new email is not verified any more.
    new_email = unique_email("upd2")
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="frank",
        UserAttributes=[{"Name": "email", "Value": new_email}])
    attrs = attrs_of(idp.admin_get_user(UserPoolId=pool_id,
                                        Username="frank"))
    assert attrs["email"] == new_email
    assert attrs["email_verified"] == "false"
    # ... unless the request verifies it.
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="frank",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    assert attrs_of(idp.admin_get_user(
        UserPoolId=pool_id, Username="frank"))["email_verified"] == "true"

    server.aws("admin-delete-user-attributes", "--user-pool-id", pool_id,
               "--username", "frank", "--user-attribute-names",
               "given_name", "email")
    attrs = attrs_of(idp.admin_get_user(UserPoolId=pool_id,
                                        Username="frank"))
    assert "given_name" not in attrs and "email" not in attrs
    assert "email_verified" not in attrs
    assert attrs["name"] == "F."
    name, msg = server.aws_error(
        "admin-delete-user-attributes", "--user-pool-id", pool_id,
        "--username", "frank", "--user-attribute-names", "custom:tenant")
    assert name == "InvalidParameterException"


def test_update_sends_a_code_when_the_pool_verifies_email(server, idp,
                                                          make_pool):
    pool_id = make_pool(AutoVerifiedAttributes=["email"])["Id"]
    create(idp, pool_id, "gina", {"email": unique_email("old"),
                                  "email_verified": "true"})
    new_email = unique_email("new")
    idp.admin_update_user_attributes(
        UserPoolId=pool_id, Username="gina",
        UserAttributes=[{"Name": "email", "Value": new_email}])
    assert re.search(r"\b\d{6}\b", server.wait_message(new_email)["body"])
    n = psql(server, "SELECT count(*) FROM codes c JOIN users u USING "
             "(pool_id, sub) WHERE c.pool_id = '%s' AND u.username = 'gina' "
             "AND c.purpose = 'verify:email'" % pool_id)
    assert n.strip() == "1"


def test_admin_confirm_sign_up(server, idp, pool):
    create(idp, pool["Id"], "henry")
    name, msg = server.aws_error("admin-confirm-sign-up", "--user-pool-id",
                                 pool["Id"], "--username", "henry")
    assert (name, msg) == ("NotAuthorizedException", "User cannot be "
                           "confirmed. Current status is "
                           "FORCE_CHANGE_PASSWORD")
    # An UNCONFIRMED user, as SignUp leaves one.
    psql(server, "UPDATE users SET status = 'UNCONFIRMED' WHERE pool_id = "
         "'%s' AND username = 'henry'" % pool["Id"])
    server.aws("admin-confirm-sign-up", "--user-pool-id", pool["Id"],
               "--username", "HENRY")
    assert idp.admin_get_user(UserPoolId=pool["Id"],
                              Username="henry")["UserStatus"] == "CONFIRMED"
    name, msg = server.aws_error("admin-confirm-sign-up", "--user-pool-id",
                                 pool["Id"], "--username", "henry")
    assert (name, msg) == ("NotAuthorizedException", "User cannot be "
                           "confirmed. Current status is CONFIRMED")


def test_admin_set_user_password(server, idp, pool):
    create(idp, pool["Id"], "ivan")
    server.aws("admin-set-user-password", "--user-pool-id", pool["Id"],
               "--username", "ivan", "--password", "Perm#Pass1",
               "--permanent")
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="ivan")
    assert got["UserStatus"] == "CONFIRMED"
    row = psql(server, "SELECT temp_password_at IS NULL, password_hash "
               "LIKE '$s1$%%' FROM users WHERE pool_id = '%s' AND "
               "username = 'ivan'" % pool["Id"])
    assert row.strip() == "t|t"
    server.aws("admin-set-user-password", "--user-pool-id", pool["Id"],
               "--username", "ivan", "--password", "Temp#Pass2",
               "--no-permanent")
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="ivan")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    row = psql(server, "SELECT temp_password_at IS NOT NULL FROM users "
               "WHERE pool_id = '%s' AND username = 'ivan'" % pool["Id"])
    assert row.strip() == "t"
    name, msg = server.aws_error("admin-set-user-password", "--user-pool-id",
                                 pool["Id"], "--username", "ivan",
                                 "--password", "weak")
    assert name == "InvalidPasswordException"
    name, _ = server.aws_error("admin-set-user-password", "--user-pool-id",
                               pool["Id"], "--username", "nobody",
                               "--password", "Perm#Pass1")
    assert name == "UserNotFoundException"


def test_admin_reset_user_password(server, idp, pool):
    email = unique_email("reset")
    create(idp, pool["Id"], "judy", {"email": email,
                                     "email_verified": "true"})
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="judy",
                                Password="Perm#Pass1", Permanent=True)
    sub = attrs_of(idp.admin_get_user(UserPoolId=pool["Id"],
                                      Username="judy"))["sub"]
    psql(server, "INSERT INTO refresh_tokens (token_hash, pool_id, "
         "client_id, sub, origin_jti, auth_time, expires_at) VALUES "
         "('\\x01', '%s', 'c', '%s', gen_random_uuid(), 0, 1e10)"
         % (pool["Id"], sub))
    server.aws("admin-reset-user-password", "--user-pool-id", pool["Id"],
               "--username", "judy")
    got = idp.admin_get_user(UserPoolId=pool["Id"], Username="judy")
    assert got["UserStatus"] == "RESET_REQUIRED"
    server.wait_code(email)
    row = psql(server, "SELECT (SELECT count(*) FROM codes WHERE pool_id = "
               "'%s' AND purpose = 'reset' AND expires_at > extract(epoch "
               "FROM now()) + 3500), (SELECT count(*) FROM refresh_tokens "
               "WHERE pool_id = '%s'), (SELECT password_hash IS NOT NULL "
               "FROM users WHERE pool_id = '%s' AND username = 'judy')"
               % (pool["Id"], pool["Id"], pool["Id"]))
    assert row.strip() == "1|0|t"

    # Without a verified contact the status changes, nothing is sent.
    other = unique_email("unverified")
    create(idp, pool["Id"], "kate", {"email": other})
    idp.admin_reset_user_password(UserPoolId=pool["Id"], Username="kate")
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username="kate")[
        "UserStatus"] == "RESET_REQUIRED"
    assert server.messages(other) == []


def test_disable_ends_refresh_tokens(server, idp, pool):
    user = create(idp, pool["Id"], "leo")
    sub = attrs_of(user)["sub"]
    psql(server, "INSERT INTO refresh_tokens (token_hash, pool_id, "
         "client_id, sub, origin_jti, auth_time, expires_at) VALUES "
         "('\\x02', '%s', 'c', '%s', gen_random_uuid(), 0, 1e10)"
         % (pool["Id"], sub))
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="leo")
    assert psql(server, "SELECT count(*) FROM refresh_tokens WHERE "
                "pool_id = '%s'" % pool["Id"]).strip() == "0"


def test_resend_invitation(server, idp, pool):
    email = unique_email("resend")
    idp.admin_create_user(
        UserPoolId=pool["Id"], Username="mia", TemporaryPassword=TEMP_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
        DesiredDeliveryMediums=["EMAIL"])
    first = INVITE.search(server.wait_message(email)["body"]).group(2)
    before = psql(server, "SELECT temp_password_at FROM users WHERE "
                  "pool_id = '%s' AND username = 'mia'" % pool["Id"])
    out = idp.admin_create_user(UserPoolId=pool["Id"], Username="MIA",
                                MessageAction="RESEND",
                                DesiredDeliveryMediums=["EMAIL"])
    assert out["User"]["Username"] == "mia"
    second = INVITE.search(server.wait_message(email, 2)["body"]).group(2)
    assert first == TEMP_PASSWORD and second != first
    after = psql(server, "SELECT temp_password_at FROM users WHERE "
                 "pool_id = '%s' AND username = 'mia'" % pool["Id"])
    assert float(after) > float(before)
    # Only a user still waiting for a first sign-in gets one.
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="mia",
                                Password="Perm#Pass1", Permanent=True)
    with pytest.raises(idp.exceptions.UnsupportedUserStateException):
        idp.admin_create_user(UserPoolId=pool["Id"], Username="mia",
                              MessageAction="RESEND")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_create_user(UserPoolId=pool["Id"], Username="nobody",
                              MessageAction="RESEND")


# --- ListUsers ------------------------------------------------------------


@pytest.fixture
def people(idp, pool):
    specs = [
        ("ann", {"email": "Ann.Smith@Example.com", "name": "Ann Smith",
                 "given_name": "Ann", "family_name": "Smith",
                 "preferred_username": "annie", "phone_number":
                 "+14155550001"}),
        ("anton", {"email": "anton@example.org", "name": "Anton Berg",
                   "given_name": "Anton", "family_name": "Berg",
                   "preferred_username": "tony", "phone_number":
                   "+14155550002"}),
        ("bea", {"email": "bea@example.net", "name": "Bea \"B\" Quinn",
                 "given_name": "Bea", "family_name": "Quinn",
                 "phone_number": "+4930123456"}),
    ]
    subs = {}
    for username, attrs in specs:
        subs[username] = attrs_of(create(idp, pool["Id"], username,
                                         attrs))["sub"]
    idp.admin_disable_user(UserPoolId=pool["Id"], Username="bea")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="anton",
                                Password="Perm#Pass1", Permanent=True)
    return subs


def names(idp, pool_id, flt, **kwargs):
    users = idp.list_users(UserPoolId=pool_id, Filter=flt,
                           **kwargs)["Users"]
    return [u["Username"] for u in users]


@pytest.mark.parametrize("flt,expected", [
    ('username = "ann"', ["ann"]),
    ('username ^= "an"', ["ann", "anton"]),
    ('username="bea"', ["bea"]),
    ('email = "ann.smith@example.com"', ["ann"]),
    ('email = "ANN.SMITH@EXAMPLE.COM"', ["ann"]),
    ('email ^= "an"', ["ann", "anton"]),
    ('email^="b"', ["bea"]),
    ('phone_number = "+14155550002"', ["anton"]),
    ('phone_number ^= "+1415"', ["ann", "anton"]),
    ('name = "ann smith"', ["ann"]),
    ('name = "Bea \\"B\\" Quinn"', ["bea"]),
    ('name ^= "A"', ["ann", "anton"]),
    ('given_name = "Anton"', ["anton"]),
    ('given_name ^= "b"', ["bea"]),
    ('family_name = "smith"', ["ann"]),
    ('family_name ^= "Q"', ["bea"]),
    ('preferred_username = "tony"', ["anton"]),
    ('preferred_username ^= "ann"', ["ann"]),
    ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', ["ann", "bea"]),
    ('cognito:user_status = "confirmed"', ["anton"]),
    ('cognito:user_status ^= "FORCE"', ["ann", "bea"]),
    ('status = "Enabled"', ["ann", "anton"]),
    ('status = "Disabled"', ["bea"]),
    ('status ^= "Dis"', ["bea"]),
    ('email = "nobody@example.com"', []),
    ('  email   =   "bea@example.net"  ', ["bea"]),
])
def test_list_users_filters(server, idp, pool, people, flt, expected):
    assert sorted(names(idp, pool["Id"], flt)) == expected


def test_list_users_by_sub_and_order(server, idp, pool, people):
    assert names(idp, pool["Id"], 'sub = "%s"' % people["anton"]) == \
        ["anton"]
    assert names(idp, pool["Id"], 'sub ^= "%s"' % people["bea"][:8]) == \
        ["bea"]
    assert names(idp, pool["Id"], 'sub = "not-a-uuid"') == []
    # The order is the filtered attribute's.
    assert names(idp, pool["Id"], 'email ^= ""') == ["ann", "anton", "bea"]
    assert names(idp, pool["Id"], 'phone_number ^= "+"') == \
        ["ann", "anton", "bea"]
    assert names(idp, pool["Id"], 'given_name ^= ""') == \
        ["ann", "anton", "bea"]


@pytest.mark.parametrize("flt,message", [
    ('email', "Error while parsing filter"),
    ('email = bea', "Error while parsing filter"),
    ('email = "bea', "Error while parsing filter"),
    ('email == "bea"', "Error while parsing filter"),
    ('email = "a" or name = "b"', "Error while parsing filter"),
    ('custom:plan = "gold"', "Invalid search attribute: custom:plan"),
    ('address = "x"', "Invalid search attribute: address"),
])
def test_list_users_bad_filters(server, pool, flt, message):
    name, msg = server.aws_error("list-users", "--user-pool-id", pool["Id"],
                                 "--filter", flt)
    assert (name, msg) == ("InvalidParameterException", message)


def test_list_users_attributes_to_get(server, idp, pool, people):
    users = idp.list_users(UserPoolId=pool["Id"], Filter='username = "ann"',
                           AttributesToGet=["email", "given_name"])["Users"]
    assert attrs_of(users[0]) == {"sub": people["ann"],
                                  "email": "Ann.Smith@Example.com",
                                  "given_name": "Ann"}
    user = users[0]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    assert isinstance(user["UserCreateDate"], type(user[
        "UserLastModifiedDate"]))


def test_list_users_paging_and_count(server, idp, pool):
    total = 130
    for i in range(total):
        create(idp, pool["Id"], "user%03d" % i,
               {"email": "user%03d@example.com" % i} if i % 2 else None)
    desc = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert desc["EstimatedNumberOfUsers"] == total

    # Pages of the default size: 60, 60, 10.
    seen, token, sizes = [], None, []
    while True:
        kwargs = {"PaginationToken": token} if token else {}
        page = idp.list_users(UserPoolId=pool["Id"], **kwargs)
        sizes.append(len(page["Users"]))
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert sizes == [60, 60, 10]
    assert seen == ["user%03d" % i for i in range(total)]

    # Limit, and a filter that pages in its own order.
    seen, token = [], None
    while True:
        kwargs = {"PaginationToken": token} if token else {}
        page = idp.list_users(UserPoolId=pool["Id"], Limit=7,
                              Filter='email ^= "user"', **kwargs)
        assert len(page["Users"]) <= 7
        seen += [u["Username"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert seen == ["user%03d" % i for i in range(1, total, 2)]

    # The AWS CLI follows the tokens itself.
    out = server.aws("list-users", "--user-pool-id", pool["Id"],
                     "--page-size", "25")
    assert len(out["Users"]) == total

    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.list_users(UserPoolId=pool["Id"], PaginationToken="garbage")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.list_users(UserPoolId=pool["Id"], Limit=61)
    assert error_of(e)[0] == "InvalidParameterException"


def test_deleting_the_pool_deletes_its_users(server, idp, make_pool):
    pool_id = make_pool()["Id"]
    for i in range(3):
        create(idp, pool_id, "gone%d" % i)
    assert psql(server, "SELECT count(*) FROM users WHERE pool_id = '%s'"
                % pool_id).strip() == "3"
    idp.delete_user_pool(UserPoolId=pool_id)
    assert psql(server, "SELECT count(*) FROM users WHERE pool_id = '%s'"
                % pool_id).strip() == "0"


def test_list_users_uses_the_indexes(server, idp, pool):
    """On 100k users the filtered queries are index scans."""
    psql(server, "INSERT INTO users (pool_id, sub, username, username_key, "
         "status, attributes) SELECT '%s', gen_random_uuid(), 'bulk' || i, "
         "'bulk' || i, 'CONFIRMED', jsonb_build_object('email', 'bulk' || i "
         "|| '@example.com', 'name', 'Bulk ' || i) FROM generate_series(1, "
         "100000) AS i; UPDATE users SET status = 'RESET_REQUIRED' WHERE "
         "pool_id = '%s' AND username IN ('bulk1', 'bulk2'); ANALYZE users"
         % (pool["Id"], pool["Id"]))
    plans = {
        "email": "u.f_email >= lower('bulk42') AND u.f_email < "
                 "(lower('bulk42') || chr(1114111)) ORDER BY u.f_email, "
                 "u.username_key",
        "name": "u.f_name = lower('Bulk 7') ORDER BY u.f_name, "
                "u.username_key",
        "username": "u.username COLLATE \"C\" >= 'bulk9' AND u.username "
                    "COLLATE \"C\" < ('bulk9' || chr(1114111)) ORDER BY "
                    "u.username COLLATE \"C\", u.username_key",
        "email page 2": "u.f_email >= lower('bulk') AND u.f_email < "
                        "(lower('bulk') || chr(1114111)) AND (u.f_email, "
                        "u.username_key) > ('bulk5@example.com', 'bulk5') "
                        "ORDER BY u.f_email, u.username_key",
        "status": "u.status = ANY('{CONFIRMED}'::text[]) ORDER BY "
                  "u.username_key",
        "rare status": "u.status = 'RESET_REQUIRED' ORDER BY "
                       "u.username_key",
        "none": "true ORDER BY u.username_key",
        "none page 2": "u.username_key > 'bulk5' ORDER BY u.username_key",
    }
    for what, tail in plans.items():
        plan = psql(server, "EXPLAIN SELECT u.sub FROM users u WHERE "
                    "u.pool_id = '%s' AND %s LIMIT 61" % (pool["Id"], tail))
        print("--- %s\n%s" % (what, plan))
        assert "Index" in plan and "Seq Scan" not in plan, (what, plan)
    # The statements are prepared: their generic plans use the indexes
    # too (the text is the one ListUsers sends for a second page).
    generic = psql(server, "SET plan_cache_mode = force_generic_plan; "
                   "PREPARE q (text, text, text, text, int) AS SELECT u.sub "
                   "FROM users u WHERE u.pool_id = $1 AND u.f_email >= "
                   "lower($2::text) AND u.f_email < (lower($2::text) || "
                   "chr(1114111)) AND (u.f_email, u.username_key) > "
                   "($3::text, $4::text) ORDER BY u.f_email, u.username_key "
                   "LIMIT $5::int; EXPLAIN EXECUTE q ('%s', 'bulk', "
                   "'bulk5@example.com', 'bulk5', 61)" % pool["Id"])
    print("--- generic\n%s" % generic)
    assert "Index Scan using users_f_email" in generic, generic
    # Byte order: "bulk42420@..." sorts before "bulk4242@...".
    page = idp.list_users(UserPoolId=pool["Id"], Filter='email ^= "bulk4242"',
                          Limit=60)
    got = [u["Username"] for u in page["Users"]]
    assert got == ["bulk4242%d" % i for i in range(10)] + ["bulk4242"]
    assert "PaginationToken" not in page


# --- Concurrency ----------------------------------------------------------


def test_parallel_creates_of_one_username(server, pool):
    n = 50
    barrier = threading.Barrier(n)
    clients = [server.boto3() for _ in range(n)]

    def one(client):
        barrier.wait()
        try:
            client.admin_create_user(UserPoolId=pool["Id"], Username="race",
                                     TemporaryPassword=TEMP_PASSWORD,
                                     MessageAction="SUPPRESS")
            return "ok"
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(n) as ex:
        results = list(ex.map(one, clients))
    assert results.count("ok") == 1, results
    assert results.count("UsernameExistsException") == n - 1, results
    users = server.boto3().list_users(UserPoolId=pool["Id"])["Users"]
    assert [u["Username"] for u in users] == ["race"]
    assert json.loads(json.dumps(users[0], default=str))["UserStatus"] == \
        "FORCE_CHANGE_PASSWORD"


def test_code_sent_by_admin_update_verifies_the_new_email(server, idp):
    """AdminUpdateUserAttributes in a pool that verifies e-mail sends a
    code to the new address; the user verifies it with that code."""
    from conftest import PASSWORD, make_client, make_user, unique_email
    pid = idp.create_user_pool(PoolName="verify-%s" % uuid.uuid4().hex[:8],
                               AutoVerifiedAttributes=["email"]
                               )["UserPool"]["Id"]
    try:
        cid = make_client(idp, pid)["ClientId"]
        name = make_user(idp, pid, email=unique_email())
        new = unique_email("new")
        idp.admin_update_user_attributes(
            UserPoolId=pid, Username=name,
            UserAttributes=[{"Name": "email", "Value": new}])
        code = server.wait_code(new)
        tok = idp.admin_initiate_auth(
            UserPoolId=pid, ClientId=cid,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD}
        )["AuthenticationResult"]["AccessToken"]
        idp.verify_user_attribute(AccessToken=tok, AttributeName="email",
                                  Code=code)
        attrs = {a["Name"]: a["Value"] for a in idp.admin_get_user(
            UserPoolId=pid, Username=name)["UserAttributes"]}
        assert attrs["email"] == new and attrs["email_verified"] == "true"
    finally:
        idp.delete_user_pool(UserPoolId=pid)
