"""User pool operations: CreateUserPool, DescribeUserPool, UpdateUserPool,
DeleteUserPool, ListUserPools, AddCustomAttributes, Set/GetUserPoolMfaConfig,
and the signing keys a new pool publishes in its JWKS.

The AWS CLI and boto3 drive the daemon as they would drive Cognito; raw
signed calls (server.api) check what those clients would hide: JSON
numbers for dates, members newer than the installed CLI's model.
"""

import base64
import datetime
import hashlib
import json
import re
import uuid

import jwt
import pytest

from conftest import error_of

STANDARD_ATTRIBUTES = [
    "sub", "name", "given_name", "family_name", "middle_name", "nickname",
    "preferred_username", "profile", "picture", "website", "email",
    "email_verified", "gender", "birthdate", "zoneinfo", "locale",
    "phone_number", "phone_number_verified", "address", "updated_at",
    "identities",
]

POOL_ID = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d)_[0-9A-Za-z]{9}$")
ARN = re.compile(r"^arn:aws:cognito-idp:([a-z0-9-]+):(\d{12}):userpool/(.+)$")


def unique(prefix="pool"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def api_ok(server, target, payload):
    r = server.api(target, payload)
    assert r.status == 200, (target, r.status, r.body)
    return r.json()


def api_error(server, target, payload):
    r = server.api(target, payload)
    assert r.status == 400, (target, r.status, r.body)
    body = r.json()
    return body["__type"], body["message"]


def describe(server, pool_id):
    """DescribeUserPool as raw JSON (dates as numbers, newest members)."""
    return api_ok(server, "DescribeUserPool",
                  {"UserPoolId": pool_id})["UserPool"]


def delete(server, pool_id):
    """DeleteUserPool through boto3 (clean-up; the wizard pool's fixture
    deletes through the AWS CLI)."""
    server.boto3().delete_user_pool(UserPoolId=pool_id)


def attrs_by_name(pool):
    return {a["Name"]: a for a in pool["SchemaAttributes"]}


@pytest.fixture
def wizard_pool(server):
    """The pool the console's getting-started wizard would create."""
    invite = {"EmailMessage": "Hello {username}, your temporary password "
              "is {####}", "EmailSubject": "Welcome to my app"}
    out = server.aws(
        "create-user-pool", "--pool-name", "my-users-pool",
        "--policies", json.dumps({"PasswordPolicy": {
            "MinimumLength": 8, "RequireUppercase": True,
            "RequireLowercase": True, "RequireNumbers": True,
            "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}}),
        "--schema", json.dumps([
            {"Name": "email", "AttributeDataType": "String",
             "Required": True, "Mutable": True},
            {"Name": "plan", "AttributeDataType": "String",
             "Mutable": True,
             "StringAttributeConstraints": {"MinLength": "1",
                                            "MaxLength": "32"}}]),
        "--auto-verified-attributes", "email",
        "--username-attributes", "email",
        "--admin-create-user-config", json.dumps({
            "AllowAdminCreateUserOnly": False,
            "InviteMessageTemplate": invite}),
        "--verification-message-template", json.dumps({
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailMessage": "Your verification code is {####}",
            "EmailSubject": "Your verification code"}),
        "--user-pool-tags", "env=test,team=identity",
        "--account-recovery-setting", json.dumps({"RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"}]}),
        "--username-configuration", "CaseSensitive=false",
        "--mfa-configuration", "OFF")
    pool = out["UserPool"]
    yield pool
    server.aws("delete-user-pool", "--user-pool-id", pool["Id"])


# -- CreateUserPool / DescribeUserPool -------------------------------------

def test_create_wizard_settings_echoed(server, wizard_pool):
    p = wizard_pool
    assert p["Name"] == "my-users-pool"
    m = POOL_ID.match(p["Id"])
    assert m, p["Id"]
    arn = ARN.match(p["Arn"])
    assert arn, p["Arn"]
    assert arn.group(1) == m.group(1)
    assert arn.group(3) == p["Id"]
    assert p["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True,
        "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    assert p["AutoVerifiedAttributes"] == ["email"]
    assert p["UsernameAttributes"] == ["email"]
    assert "AliasAttributes" not in p
    assert p["UsernameConfiguration"] == {"CaseSensitive": False}
    assert p["MfaConfiguration"] == "OFF"
    assert p["UserPoolTags"] == {"env": "test", "team": "identity"}
    assert p["AccountRecoverySetting"] == {"RecoveryMechanisms": [
        {"Priority": 1, "Name": "verified_email"}]}
    acu = p["AdminCreateUserConfig"]
    assert acu["AllowAdminCreateUserOnly"] is False
    assert acu["UnusedAccountValidityDays"] == 7
    assert "{username}" in acu["InviteMessageTemplate"]["EmailMessage"]
    vmt = p["VerificationMessageTemplate"]
    assert vmt["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert vmt["EmailMessage"] == "Your verification code is {####}"
    # Cognito mirrors the template into the legacy members.
    assert p["EmailVerificationMessage"] == vmt["EmailMessage"]
    assert p["EmailVerificationSubject"] == vmt["EmailSubject"]
    assert p["EstimatedNumberOfUsers"] == 0
    assert p["LambdaConfig"] == {}
    assert p["EmailConfiguration"] == {
        "EmailSendingAccount": "COGNITO_DEFAULT"}


def test_create_schema_attributes(server, wizard_pool):
    names = [a["Name"] for a in wizard_pool["SchemaAttributes"]]
    assert names[:len(STANDARD_ATTRIBUTES)] == STANDARD_ATTRIBUTES
    assert names[len(STANDARD_ATTRIBUTES):] == ["custom:plan"]
    by = attrs_by_name(wizard_pool)
    assert by["sub"] == {
        "Name": "sub", "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False, "Mutable": False,
        "Required": True,
        "StringAttributeConstraints": {"MinLength": "1",
                                       "MaxLength": "2048"}}
    assert by["email"]["Required"] is True
    assert by["email"]["Mutable"] is True
    assert by["name"]["Required"] is False
    assert by["name"]["StringAttributeConstraints"] == {
        "MinLength": "0", "MaxLength": "2048"}
    assert by["birthdate"]["StringAttributeConstraints"] == {
        "MinLength": "10", "MaxLength": "10"}
    assert by["email_verified"]["AttributeDataType"] == "Boolean"
    assert "StringAttributeConstraints" not in by["email_verified"]
    assert by["updated_at"]["AttributeDataType"] == "Number"
    assert by["updated_at"]["NumberAttributeConstraints"] == {
        "MinValue": "0"}
    assert by["custom:plan"] == {
        "Name": "custom:plan", "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"}}


def test_describe_matches_create(server, wizard_pool):
    d = server.aws("describe-user-pool", "--user-pool-id",
                   wizard_pool["Id"])["UserPool"]
    assert d == wizard_pool


def test_describe_raw_dates_are_numbers(server, wizard_pool):
    p = describe(server, wizard_pool["Id"])
    for key in ("CreationDate", "LastModifiedDate"):
        assert isinstance(p[key], (int, float)), p[key]
        assert abs(p[key] - datetime.datetime.now().timestamp()) < 600
    assert p["LastModifiedDate"] >= p["CreationDate"]
    # Members newer than the CLI's model.
    assert p["DeletionProtection"] == "INACTIVE"
    assert p["UserPoolTier"] == "ESSENTIALS"
    assert p["Policies"]["SignInPolicy"] == {
        "AllowedFirstAuthFactors": ["PASSWORD"]}
    assert "Status" not in p


def test_describe_boto3_datetimes(server, wizard_pool):
    p = server.boto3().describe_user_pool(
        UserPoolId=wizard_pool["Id"])["UserPool"]
    assert isinstance(p["CreationDate"], datetime.datetime)
    assert isinstance(p["LastModifiedDate"], datetime.datetime)
    assert p["Id"] == wizard_pool["Id"]


def test_minimal_pool_defaults(server, pool):
    p = describe(server, pool["Id"])
    assert p["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True,
        "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    assert "PasswordHistorySize" not in p["Policies"]["PasswordPolicy"]
    assert p["MfaConfiguration"] == "OFF"
    assert p["DeletionProtection"] == "INACTIVE"
    assert p["EmailConfiguration"] == {
        "EmailSendingAccount": "COGNITO_DEFAULT"}
    assert p["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    assert p["VerificationMessageTemplate"] == {
        "DefaultEmailOption": "CONFIRM_WITH_CODE"}
    assert p["LambdaConfig"] == {}
    assert p["EstimatedNumberOfUsers"] == 0
    assert p["UserPoolTags"] == {}
    assert [a["Name"] for a in p["SchemaAttributes"]] == STANDARD_ATTRIBUTES
    for absent in ("UsernameConfiguration", "AliasAttributes",
                   "UsernameAttributes", "AutoVerifiedAttributes",
                   "AccountRecoverySetting", "SmsConfiguration",
                   "DeviceConfiguration", "EmailVerificationMessage",
                   "Domain", "CustomDomain"):
        assert absent not in p, absent


def test_create_partial_password_policy(server):
    p = api_ok(server, "CreateUserPool", {
        "PoolName": unique(), "Policies": {"PasswordPolicy": {
            "MinimumLength": 12, "RequireNumbers": True,
            "PasswordHistorySize": 5}}})["UserPool"]
    try:
        assert p["Policies"]["PasswordPolicy"] == {
            "MinimumLength": 12, "RequireUppercase": False,
            "RequireLowercase": False, "RequireNumbers": True,
            "RequireSymbols": False, "PasswordHistorySize": 5,
            "TemporaryPasswordValidityDays": 7}
    finally:
        delete(server, p["Id"])


def test_create_alias_attributes_and_developer_attribute(server):
    p = server.aws(
        "create-user-pool", "--pool-name", unique(),
        "--alias-attributes", "email", "preferred_username",
        "--schema", json.dumps([
            {"Name": "tenant", "AttributeDataType": "Number",
             "DeveloperOnlyAttribute": True, "Mutable": False,
             "NumberAttributeConstraints": {"MinValue": "1",
                                            "MaxValue": "100"}},
            {"Name": "joined", "AttributeDataType": "DateTime"}]))
    p = p["UserPool"]
    try:
        assert p["AliasAttributes"] == ["email", "preferred_username"]
        by = attrs_by_name(p)
        assert by["dev:custom:tenant"] == {
            "Name": "dev:custom:tenant", "AttributeDataType": "Number",
            "DeveloperOnlyAttribute": True, "Mutable": False,
            "Required": False,
            "NumberAttributeConstraints": {"MinValue": "1",
                                           "MaxValue": "100"}}
        assert by["custom:joined"]["AttributeDataType"] == "DateTime"
        assert "StringAttributeConstraints" not in by["custom:joined"]
    finally:
        delete(server, p["Id"])


def test_legacy_message_mirrors_template(server):
    p = server.aws("create-user-pool", "--pool-name", unique(),
                   "--email-verification-message", "Code: {####}",
                   "--email-verification-subject", "Verify",
                   "--sms-verification-message", "SMS code {####}")
    p = p["UserPool"]
    try:
        vmt = p["VerificationMessageTemplate"]
        assert vmt["EmailMessage"] == "Code: {####}"
        assert vmt["EmailSubject"] == "Verify"
        assert vmt["SmsMessage"] == "SMS code {####}"
        assert vmt["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    finally:
        delete(server, p["Id"])


# -- Errors ------------------------------------------------------------------

def test_unknown_pool(server):
    missing = "us-east-1_NoSuchPo0"
    name, msg = server.aws_error("describe-user-pool", "--user-pool-id",
                                 missing)
    assert name == "ResourceNotFoundException", (name, msg)
    assert msg == "User pool %s does not exist." % missing
    c = server.boto3()
    for call in (c.delete_user_pool, c.get_user_pool_mfa_config,
                 c.update_user_pool):
        with pytest.raises(Exception) as excinfo:
            call(UserPoolId=missing)
        name, msg = error_of(excinfo)
        assert name == "ResourceNotFoundException", (call, name, msg)
        assert msg == "User pool %s does not exist." % missing
    name, _ = server.aws_error(
        "add-custom-attributes", "--user-pool-id", missing,
        "--custom-attributes", "Name=x,AttributeDataType=String")
    assert name == "ResourceNotFoundException"


def test_bad_minimum_length(server):
    # The CLI checks minimums itself; 100 passes it and reaches us.
    name, msg = server.aws_error(
        "create-user-pool", "--pool-name", unique(),
        "--policies", "PasswordPolicy={MinimumLength=100}")
    assert name == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value '100' at "
                   "'policies.passwordPolicy.minimumLength' failed to "
                   "satisfy constraint: Member must have value less than "
                   "or equal to 99")
    name, msg = api_error(server, "CreateUserPool", {
        "PoolName": unique(),
        "Policies": {"PasswordPolicy": {"MinimumLength": 5}}})
    assert name == "InvalidParameterException"
    assert "greater than or equal to 6" in msg


def test_alias_and_username_attributes_exclusive(server):
    name, msg = server.aws_error(
        "create-user-pool", "--pool-name", unique(),
        "--alias-attributes", "email", "--username-attributes", "email")
    assert name == "InvalidParameterException"
    assert "AliasAttributes" in msg and "UsernameAttributes" in msg


def test_message_templates_need_placeholders(server):
    name, msg = api_error(server, "CreateUserPool", {
        "PoolName": unique(),
        "VerificationMessageTemplate": {"EmailMessage": "no code here"}})
    assert name == "InvalidParameterException"
    assert "verificationMessageTemplate.emailMessage" in msg
    assert "\\{####\\}" in msg
    name, msg = api_error(server, "CreateUserPool", {
        "PoolName": unique(), "AdminCreateUserConfig": {
            "InviteMessageTemplate": {"EmailMessage": "Password {####}"}}})
    assert name == "InvalidParameterException"
    assert "{username}" in msg


def test_required_custom_attribute_refused(server):
    name, msg = server.aws_error(
        "create-user-pool", "--pool-name", unique(), "--schema",
        "Name=plan,AttributeDataType=String,Required=true")
    assert name == "InvalidParameterException"
    assert msg == "Required custom attributes are not supported currently."


def test_standard_attribute_type_is_fixed(server):
    name, msg = api_error(server, "CreateUserPool", {
        "PoolName": unique(),
        "Schema": [{"Name": "email", "AttributeDataType": "Number"}]})
    assert name == "InvalidParameterException"
    assert "standard schema attribute email" in msg


def test_mfa_on_needs_a_factor_at_create(server):
    name, msg = server.aws_error("create-user-pool", "--pool-name",
                                 unique(), "--mfa-configuration", "ON")
    assert name == "InvalidParameterException"
    assert "MFA" in msg


def test_mfa_on_with_sms_at_create(server):
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns-role",
           "ExternalId": "ext"}
    p = api_ok(server, "CreateUserPool", {
        "PoolName": unique(), "MfaConfiguration": "ON",
        "SmsConfiguration": sms,
        "SmsAuthenticationMessage": "Your MFA code is {####}"})["UserPool"]
    try:
        assert p["MfaConfiguration"] == "ON"
        assert p["SmsConfiguration"] == sms
        g = server.aws("get-user-pool-mfa-config", "--user-pool-id", p["Id"])
        assert g["MfaConfiguration"] == "ON"
        assert g["SmsMfaConfiguration"] == {
            "SmsConfiguration": sms,
            "SmsAuthenticationMessage": "Your MFA code is {####}"}
    finally:
        delete(server, p["Id"])


def test_missing_pool_name(server):
    name, msg = api_error(server, "CreateUserPool", {})
    assert name == "InvalidParameterException"
    assert "poolName" in msg and "must not be null" in msg


# -- ListUserPools -----------------------------------------------------------

@pytest.fixture
def five_pools(server):
    c = server.boto3()
    ids = [c.create_user_pool(PoolName=unique("list"))["UserPool"]["Id"]
           for _ in range(5)]
    yield ids
    for pool_id in ids:
        c.delete_user_pool(UserPoolId=pool_id)


def test_list_paginator(server, five_pools):
    c = server.boto3()
    seen = []
    pages = 0
    for page in c.get_paginator("list_user_pools").paginate(MaxResults=2):
        pages += 1
        assert len(page["UserPools"]) <= 2
        for p in page["UserPools"]:
            assert set(p) <= {"Id", "Name", "LambdaConfig", "Status",
                              "LastModifiedDate", "CreationDate"}
            assert isinstance(p["CreationDate"], datetime.datetime)
            seen.append(p["Id"])
        assert pages < 1000
    assert len(seen) == len(set(seen)), "a pool was listed twice"
    assert set(five_pools) <= set(seen)
    assert pages >= 3
    # Creation order: the five appear in the order they were made.
    order = [i for i in seen if i in five_pools]
    assert order == five_pools


def test_list_cli(server, five_pools):
    # MaxResults is required, so the CLI does not page by itself: it
    # makes one call and shows NextToken, which the next call passes.
    out = server.aws("list-user-pools", "--max-results", "2")
    assert len(out["UserPools"]) == 2
    ids = [p["Id"] for p in out["UserPools"]]
    while "NextToken" in out:
        out = server.aws("list-user-pools", "--max-results", "2",
                         "--next-token", out["NextToken"])
        assert len(out["UserPools"]) <= 2
        ids += [p["Id"] for p in out["UserPools"]]
        assert len(ids) < 2000
    assert len(ids) == len(set(ids))
    assert set(five_pools) <= set(ids)


def test_list_page_and_token(server, five_pools):
    first = api_ok(server, "ListUserPools", {"MaxResults": 1})
    assert len(first["UserPools"]) == 1
    token = first["NextToken"]
    second = api_ok(server, "ListUserPools",
                    {"MaxResults": 60, "NextToken": token})
    assert first["UserPools"][0]["Id"] not in \
        [p["Id"] for p in second["UserPools"]]
    item = second["UserPools"][0]
    assert isinstance(item["CreationDate"], (int, float))
    assert item["LambdaConfig"] == {}


def test_list_errors(server):
    name, msg = api_error(server, "ListUserPools", {})
    assert name == "InvalidParameterException"
    assert "maxResults" in msg
    name, _ = api_error(server, "ListUserPools", {"MaxResults": 61})
    assert name == "InvalidParameterException"
    name, _ = api_error(server, "ListUserPools",
                        {"MaxResults": 2, "NextToken": "garbage"})
    assert name == "InvalidParameterException"


# -- UpdateUserPool ----------------------------------------------------------

def test_update_resets_unspecified_members(server):
    p = server.aws(
        "create-user-pool", "--pool-name", unique("upd"),
        "--auto-verified-attributes", "email",
        "--username-attributes", "email",
        "--username-configuration", "CaseSensitive=false",
        "--admin-create-user-config", "AllowAdminCreateUserOnly=true",
        "--device-configuration", "ChallengeRequiredOnNewDevice=true",
        "--schema", "Name=plan,AttributeDataType=String",
        "--user-pool-tags", "a=1")["UserPool"]
    try:
        server.aws("update-user-pool", "--user-pool-id", p["Id"],
                   "--policies", "PasswordPolicy={MinimumLength=12,"
                   "RequireNumbers=true}")
        d = describe(server, p["Id"])
        assert d["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
        assert d["Policies"]["PasswordPolicy"]["RequireUppercase"] is False
        # Not given: back to defaults.
        assert "AutoVerifiedAttributes" not in d
        assert "DeviceConfiguration" not in d
        assert d["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] \
            is False
        # Fixed at creation: kept.
        assert d["UsernameAttributes"] == ["email"]
        assert d["UsernameConfiguration"] == {"CaseSensitive": False}
        assert "custom:plan" in attrs_by_name(d)
        assert d["Name"] == p["Name"]
        assert d["UserPoolTags"] == {"a": "1"}
        assert d["LastModifiedDate"] >= d["CreationDate"]
        # Tags given replace the tags; PoolName (newer model) renames.
        api_ok(server, "UpdateUserPool", {
            "UserPoolId": p["Id"], "UserPoolTags": {"b": "2"},
            "PoolName": "renamed-pool"})
        d = describe(server, p["Id"])
        assert d["UserPoolTags"] == {"b": "2"}
        assert d["Name"] == "renamed-pool"
        assert d["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    finally:
        delete(server, p["Id"])


def test_update_cannot_enable_mfa_without_factor(server, pool):
    name, msg = server.aws_error("update-user-pool", "--user-pool-id",
                                 pool["Id"], "--mfa-configuration",
                                 "OPTIONAL")
    assert name == "InvalidParameterException"
    # With TOTP enabled, OPTIONAL is fine and survives an update.
    server.aws("set-user-pool-mfa-config", "--user-pool-id", pool["Id"],
               "--software-token-mfa-configuration", "Enabled=true",
               "--mfa-configuration", "OPTIONAL")
    server.aws("update-user-pool", "--user-pool-id", pool["Id"],
               "--mfa-configuration", "OPTIONAL")
    assert describe(server, pool["Id"])["MfaConfiguration"] == "OPTIONAL"


# -- AddCustomAttributes -----------------------------------------------------

def test_add_custom_attributes(server, pool):
    server.aws("add-custom-attributes", "--user-pool-id", pool["Id"],
               "--custom-attributes",
               "Name=tier,AttributeDataType=String,Mutable=true,"
               "StringAttributeConstraints={MinLength=1,MaxLength=15}",
               "Name=score,AttributeDataType=Number")
    by = attrs_by_name(describe(server, pool["Id"]))
    assert by["custom:tier"]["StringAttributeConstraints"] == {
        "MinLength": "1", "MaxLength": "15"}
    assert by["custom:score"]["AttributeDataType"] == "Number"
    assert "sub" in by
    name, msg = server.aws_error(
        "add-custom-attributes", "--user-pool-id", pool["Id"],
        "--custom-attributes", "Name=tier,AttributeDataType=String")
    assert name == "InvalidParameterException"
    assert msg == "Existing attribute already has name custom:tier."
    name, msg = server.aws_error(
        "add-custom-attributes", "--user-pool-id", pool["Id"],
        "--custom-attributes", "Name=x,AttributeDataType=String,Required=true")
    assert name == "InvalidParameterException"
    assert msg == "Required custom attributes are not supported currently."
    name, msg = api_error(server, "AddCustomAttributes", {
        "UserPoolId": pool["Id"], "CustomAttributes": [{
            "Name": "bad", "AttributeDataType": "String",
            "StringAttributeConstraints": {"MinLength": "9",
                                           "MaxLength": "3"}}]})
    assert name == "InvalidParameterException"


def test_custom_attribute_limit(server, pool):
    batch = [{"Name": "a%02d" % i, "AttributeDataType": "String"}
             for i in range(25)]
    api_ok(server, "AddCustomAttributes",
           {"UserPoolId": pool["Id"], "CustomAttributes": batch})
    batch = [{"Name": "b%02d" % i, "AttributeDataType": "String"}
             for i in range(25)]
    api_ok(server, "AddCustomAttributes",
           {"UserPoolId": pool["Id"], "CustomAttributes": batch})
    name, msg = api_error(server, "AddCustomAttributes", {
        "UserPoolId": pool["Id"],
        "CustomAttributes": [{"Name": "c", "AttributeDataType": "String"}]})
    assert name == "InvalidParameterException"
    assert "50" in msg


# -- MFA configuration -------------------------------------------------------

def test_mfa_config_round_trip(server, pool):
    g = server.aws("get-user-pool-mfa-config", "--user-pool-id", pool["Id"])
    assert g == {"MfaConfiguration": "OFF"}
    s = server.aws("set-user-pool-mfa-config", "--user-pool-id", pool["Id"],
                   "--software-token-mfa-configuration", "Enabled=true",
                   "--mfa-configuration", "OPTIONAL")
    assert s["MfaConfiguration"] == "OPTIONAL"
    assert s["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    g = server.aws("get-user-pool-mfa-config", "--user-pool-id", pool["Id"])
    assert g == s
    assert describe(server, pool["Id"])["MfaConfiguration"] == "OPTIONAL"
    s = server.aws("set-user-pool-mfa-config", "--user-pool-id", pool["Id"],
                   "--mfa-configuration", "OFF")
    assert s == {"MfaConfiguration": "OFF"}
    assert describe(server, pool["Id"])["MfaConfiguration"] == "OFF"


def test_mfa_config_sms_syncs_pool(server, pool):
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms",
           "ExternalId": "x"}
    s = api_ok(server, "SetUserPoolMfaConfig", {
        "UserPoolId": pool["Id"], "MfaConfiguration": "ON",
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": "Code {####}",
                                "SmsConfiguration": sms}})
    assert s["SmsMfaConfiguration"]["SmsConfiguration"] == sms
    d = describe(server, pool["Id"])
    assert d["MfaConfiguration"] == "ON"
    assert d["SmsConfiguration"] == sms
    assert d["SmsAuthenticationMessage"] == "Code {####}"


def test_mfa_config_errors(server, pool):
    name, msg = server.aws_error("set-user-pool-mfa-config",
                                 "--user-pool-id", pool["Id"],
                                 "--mfa-configuration", "ON")
    assert name == "InvalidParameterException"
    assert msg.startswith("Invalid MFA configuration given")
    name, msg = server.aws_error("set-user-pool-mfa-config",
                                 "--user-pool-id", pool["Id"],
                                 "--software-token-mfa-configuration",
                                 "Enabled=true",
                                 "--mfa-configuration", "OFF")
    assert name == "InvalidParameterException"
    assert "turn off MFA" in msg


# -- DeleteUserPool ----------------------------------------------------------

def test_delete_pool(server):
    pool_id = server.aws("create-user-pool", "--pool-name",
                         unique("del"))["UserPool"]["Id"]
    assert server.aws("delete-user-pool", "--user-pool-id", pool_id) == {}
    name, msg = server.aws_error("describe-user-pool", "--user-pool-id",
                                 pool_id)
    assert name == "ResourceNotFoundException"
    assert msg == "User pool %s does not exist." % pool_id
    r = server.request("GET", "/%s/.well-known/jwks.json" % pool_id)
    assert r.status == 404


def test_deletion_protection(server):
    pool_id = server.aws("create-user-pool", "--pool-name", unique("prot"),
                         "--deletion-protection",
                         "ACTIVE")["UserPool"]["Id"]
    name, msg = server.aws_error("delete-user-pool", "--user-pool-id",
                                 pool_id)
    assert name == "InvalidParameterException"
    assert "deletion protection" in msg.lower()
    assert describe(server, pool_id)["DeletionProtection"] == "ACTIVE"
    # UpdateUserPool without DeletionProtection resets it to INACTIVE.
    server.aws("update-user-pool", "--user-pool-id", pool_id)
    server.aws("delete-user-pool", "--user-pool-id", pool_id)


# -- Signing keys ------------------------------------------------------------

def b64url_uint(value):
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rfc7638_thumbprint(jwk):
    members = {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}
    text = json.dumps(members, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_jwks_two_rs256_keys(server, pool):
    r = server.request("GET", "/%s/.well-known/jwks.json" % pool["Id"])
    assert r.status == 200, r
    keys = r.json()["keys"]
    assert len(keys) == 2
    assert len({k["kid"] for k in keys}) == 2
    for k in keys:
        assert k["kty"] == "RSA"
        assert k["alg"] == "RS256"
        assert k["use"] == "sig"
        assert k["kid"] == rfc7638_thumbprint(k)
        pyjwk = jwt.PyJWK(k)
        assert pyjwk.key_id == k["kid"]
        numbers = pyjwk.key.public_numbers()
        assert numbers.n.bit_length() == 2048
        assert b64url_uint(numbers.n) == k["n"]
        assert b64url_uint(numbers.e) == k["e"]
    # Every pool has its own keys.
    other = server.aws("create-user-pool", "--pool-name",
                       unique())["UserPool"]["Id"]
    try:
        r2 = server.request("GET", "/%s/.well-known/jwks.json" % other)
        kids2 = {k["kid"] for k in r2.json()["keys"]}
        assert not kids2 & {k["kid"] for k in keys}
    finally:
        delete(server, other)
