"""Remembered devices through unmodified clients (boto3, the AWS CLI):
ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus and
ForgetDevice with the user's access token, and the Admin* variants by
username or sign-in alias.

A device comes from a sign-in: the AuthenticationResult of a pool that
tracks devices carries NewDeviceMetadata, and the app confirms it with a
device SRP verifier computed as amazon-cognito-identity-js computes it
(reference §4.6). The verifier is sealed at rest; one stored in plain by
an older version still signs in and is sealed at the next start."""
import base64
import json
import os
import uuid

import botocore.exceptions
import jwt
import pytest

from conftest import PASSWORD, error_of, make_client, make_user
from daemons import own_server, restarted  # noqa: F401 (a fixture)
from srp_client import Srp, make_verifier

MISSING = ("ResourceNotFoundException", "Device does not exist.")
EXISTS = ("DeviceKeyExistsException", "Device key already exists.")

def b64(hexstr):
    return base64.b64encode(bytes.fromhex(hexstr)).decode()


class Secret:
    """What an app computes to confirm a device: a random password, a
    salt and the verifier g^x of them (hex), and the config it sends."""

    def __init__(self, group_key, device_key):
        self.password = base64.b64encode(os.urandom(40)).decode()
        self.salt, self.verifier = make_verifier(group_key + device_key,
                                                 self.password)
        self.config = {"PasswordVerifier": b64(self.verifier),
                       "Salt": b64(self.salt)}


class User:
    """A confirmed user of an app that tracks devices; sign_in() signs
    in again, which hands out a new device."""

    def __init__(self, idp, pool_id, client_id, username=None,
                 email=None):
        self.idp, self.pool_id, self.client_id = idp, pool_id, client_id
        self.username = make_user(idp, pool_id, username, email)
        self.sign_in()

    def sign_in(self):
        """Sign in; the new device (key, group key), unconfirmed."""
        r = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id, ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": self.username,
                            "PASSWORD": PASSWORD})["AuthenticationResult"]
        self.access = r["AccessToken"]
        meta = r["NewDeviceMetadata"]
        return meta["DeviceKey"], meta["DeviceGroupKey"]

    def new_device(self, name=None):
        """Sign in and confirm the device: (key, Secret, answer)."""
        key, group = self.sign_in()
        secret = Secret(group, key)
        kw = {"DeviceName": name} if name else {}
        r = self.idp.confirm_device(
            AccessToken=self.access, DeviceKey=key,
            DeviceSecretVerifierConfig=secret.config, **kw)
        return key, secret, r


def attrs(device):
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def fails(call, **kw):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        call(**kw)
    return error_of(e)


@pytest.fixture
def app(idp, make_pool):
    """A pool that always remembers the devices it tracks, with e-mail
    as a sign-in alias, and a client: (pool id, client id)."""
    up = make_pool(AliasAttributes=["email"], DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": False})
    return up["Id"], make_client(idp, up["Id"])["ClientId"]


@pytest.fixture
def user(idp, app):
    return User(idp, *app)


# --- ConfirmDevice, GetDevice ------------------------------------------------

def test_confirm_and_get(server, idp, user):
    key, secret, r = user.new_device("Pixel 9")
    assert r["UserConfirmationNecessary"] is False
    d = idp.get_device(AccessToken=user.access, DeviceKey=key)["Device"]
    assert d["DeviceKey"] == key
    assert attrs(d)["device_status"] == "valid"
    assert attrs(d)["device_name"] == "Pixel 9"
    assert attrs(d)["dev:device_remembered_status"] == "remembered"
    assert "last_ip_used" in attrs(d)
    for k in ("DeviceCreateDate", "DeviceLastModifiedDate",
              "DeviceLastAuthenticatedDate"):
        assert d[k].year >= 2024
    assert d["DeviceLastModifiedDate"] >= d["DeviceCreateDate"]
    # The salt as the hex of the bytes sent, the verifier sealed.
    row = server.psql("SELECT verifier, salt, confirmed, remembered FROM "
                      "devices WHERE pool_id = '%s' AND device_key = '%s'"
                      % (user.pool_id, key))
    assert row[0][1:] == [secret.salt, "t", "t"]
    assert row[0][0].startswith("v1.") and secret.verifier not in row[0][0]
    # The raw answer: epoch seconds, attributes as {Name, Value}.
    raw = server.api("GetDevice", {"AccessToken": user.access,
                                   "DeviceKey": key}, signed=False)
    assert raw.status == 200, raw
    assert isinstance(raw.json()["Device"]["DeviceCreateDate"], float)


def test_confirm_twice_and_unknown_devices(idp, user):
    key, secret, _ = user.new_device()
    assert fails(idp.confirm_device, AccessToken=user.access, DeviceKey=key,
                 DeviceSecretVerifierConfig=secret.config) == EXISTS
    unknown = "%s_%s" % (user.pool_id.split("_")[0], uuid.uuid4())
    assert fails(idp.confirm_device, AccessToken=user.access,
                 DeviceKey=unknown,
                 DeviceSecretVerifierConfig=secret.config) == MISSING
    for call in (idp.get_device, idp.forget_device):
        assert fails(call, AccessToken=user.access,
                     DeviceKey=unknown) == MISSING
    assert fails(idp.update_device_status, AccessToken=user.access,
                 DeviceKey=unknown,
                 DeviceRememberedStatus="remembered") == MISSING


def test_unconfirmed_device_is_not_tracked(idp, user):
    key, _ = user.sign_in()
    assert fails(idp.get_device, AccessToken=user.access,
                 DeviceKey=key) == MISSING
    assert fails(idp.update_device_status, AccessToken=user.access,
                 DeviceKey=key,
                 DeviceRememberedStatus="remembered") == MISSING
    assert idp.list_devices(AccessToken=user.access)["Devices"] == []
    assert idp.admin_list_devices(UserPoolId=user.pool_id,
                                  Username=user.username)["Devices"] == []


def test_bad_verifier_config(server, idp, user):
    key, group = user.sign_in()
    good = Secret(group, key).config
    bad = [
        {"PasswordVerifier": "not base64!", "Salt": good["Salt"]},
        {"PasswordVerifier": good["PasswordVerifier"], "Salt": "a b"},
        {"PasswordVerifier": "", "Salt": good["Salt"]},
        {"PasswordVerifier": "AAAA", "Salt": good["Salt"]},  # zero
        {"PasswordVerifier": b64("01" * 600), "Salt": good["Salt"]},
        {"Salt": good["Salt"]},
    ]
    for config in bad:
        code, msg = fails(idp.confirm_device, AccessToken=user.access,
                          DeviceKey=key, DeviceSecretVerifierConfig=config)
        assert code == "InvalidParameterException", (config, msg)
        assert "DeviceSecretVerifierConfig" in msg
    r = server.api("ConfirmDevice", {"AccessToken": user.access,
                                     "DeviceKey": key}, signed=False)
    assert r.status == 400 and \
        r.json()["__type"] == "InvalidParameterException"
    # None of it confirmed the device: a good config still does.
    idp.confirm_device(AccessToken=user.access, DeviceKey=key,
                       DeviceSecretVerifierConfig=good)


def test_input_validation(server, user):
    def call(target, payload):
        r = server.api(target, payload, signed=False)
        assert r.status == 400, r
        return r.json()["__type"], r.json()["message"]

    for key in ("nounderscore", "us-east-1_XYZ", "us-east-1_", "_abc",
                "a" * 50 + "_" + "0" * 10):
        t, msg = call("GetDevice", {"AccessToken": user.access,
                                    "DeviceKey": key})
        assert t == "InvalidParameterException", (key, msg)
        assert "deviceKey" in msg
    t, msg = call("ListDevices", {"AccessToken": user.access, "Limit": 61})
    assert t == "InvalidParameterException"
    t, _ = call("UpdateDeviceStatus", {
        "AccessToken": user.access, "DeviceKey": "us-east-1_ab-12",
        "DeviceRememberedStatus": "forever"})
    assert t == "InvalidParameterException"
    t, _ = call("GetDevice", {"DeviceKey": "us-east-1_ab-12"})
    assert t == "InvalidParameterException"
    t, _ = call("ForgetDevice", {"AccessToken": "a.b.c",
                                 "DeviceKey": "us-east-1_ab-12"})
    assert t == "NotAuthorizedException"


# --- Remembered status ------------------------------------------------------

def test_remembered_only_on_user_prompt(server, idp, make_pool):
    up = make_pool(DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": True})
    u = User(idp, up["Id"], make_client(idp, up["Id"])["ClientId"])
    key, _, r = u.new_device()
    assert r["UserConfirmationNecessary"] is True
    d = idp.get_device(AccessToken=u.access, DeviceKey=key)["Device"]
    assert attrs(d)["dev:device_remembered_status"] == "not_remembered"
    # The app asks the user, who says yes, then changes their mind.
    idp.update_device_status(AccessToken=u.access, DeviceKey=key,
                             DeviceRememberedStatus="remembered")
    d2 = idp.get_device(AccessToken=u.access, DeviceKey=key)["Device"]
    assert attrs(d2)["dev:device_remembered_status"] == "remembered"
    assert d2["DeviceLastModifiedDate"] >= d["DeviceLastModifiedDate"]
    server.aws("update-device-status", "--access-token", u.access,
               "--device-key", key, "--device-remembered-status",
               "not_remembered")
    d3 = idp.get_device(AccessToken=u.access, DeviceKey=key)["Device"]
    assert attrs(d3)["dev:device_remembered_status"] == "not_remembered"


# --- ListDevices --------------------------------------------------------------

def test_list_with_paging(server, idp, user):
    keys = [user.new_device("device %d" % i)[0] for i in range(5)]
    # Newest token: every device's sign-in made one; all are the user's.
    listed = idp.list_devices(AccessToken=user.access)["Devices"]
    assert [d["DeviceKey"] for d in listed] == keys
    assert "PaginationToken" not in idp.list_devices(
        AccessToken=user.access, Limit=0)
    pages, token = [], None
    while True:
        kw = {"PaginationToken": token} if token else {}
        r = idp.list_devices(AccessToken=user.access, Limit=2, **kw)
        pages.append([d["DeviceKey"] for d in r["Devices"]])
        token = r.get("PaginationToken")
        if token is None:
            break
    assert pages == [keys[0:2], keys[2:4], keys[4:]]
    # A device forgotten between pages shifts nothing.
    r = idp.list_devices(AccessToken=user.access, Limit=2)
    idp.forget_device(AccessToken=user.access, DeviceKey=keys[1])
    idp.forget_device(AccessToken=user.access, DeviceKey=keys[2])
    r2 = idp.list_devices(AccessToken=user.access, Limit=2,
                          PaginationToken=r["PaginationToken"])
    assert [d["DeviceKey"] for d in r2["Devices"]] == keys[3:5]
    # The AWS CLI, by hand (ListDevices has no paginator).
    out = server.aws("list-devices", "--access-token", user.access,
                     "--limit", "1")
    assert [d["DeviceKey"] for d in out["Devices"]] == [keys[0]]
    out = server.aws("list-devices", "--access-token", user.access,
                     "--limit", "1", "--pagination-token",
                     out["PaginationToken"])
    assert [d["DeviceKey"] for d in out["Devices"]] == [keys[3]]
    for bad in ("garbage", base64.urlsafe_b64encode(
            b'["x","y"]').decode().rstrip("=")):
        assert fails(idp.list_devices, AccessToken=user.access,
                     PaginationToken=bad)[0] == "InvalidParameterException"


# --- ForgetDevice ---------------------------------------------------------

def test_forget(server, idp, user):
    key, _, _ = user.new_device()
    other, _, _ = user.new_device()
    idp.forget_device(AccessToken=user.access, DeviceKey=key)
    assert fails(idp.get_device, AccessToken=user.access,
                 DeviceKey=key) == MISSING
    assert fails(idp.forget_device, AccessToken=user.access,
                 DeviceKey=key) == MISSING
    assert [d["DeviceKey"] for d in idp.list_devices(
        AccessToken=user.access)["Devices"]] == [other]
    # An unconfirmed device can be forgotten too.
    fresh, _ = user.sign_in()
    idp.forget_device(AccessToken=user.access, DeviceKey=fresh)
    assert server.psql("SELECT count(*) FROM devices WHERE pool_id = '%s' "
                       "AND device_key = '%s'" % (user.pool_id, fresh)) \
        == [["0"]]


def test_forget_ends_the_devices_sessions(server, idp, user):
    """Tokens issued to a device name it, across refreshes; forgetting
    the device ends its refresh tokens, and only its (its access tokens
    live out their hour, as on Cognito)."""
    r = idp.admin_initiate_auth(
        UserPoolId=user.pool_id, ClientId=user.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username,
                        "PASSWORD": PASSWORD})["AuthenticationResult"]
    key = r["NewDeviceMetadata"]["DeviceKey"]
    other = user.sign_in()[0]
    again = idp.initiate_auth(
        ClientId=user.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": r["RefreshToken"],
                        "DEVICE_KEY": key})["AuthenticationResult"]
    assert "NewDeviceMetadata" not in again
    assert fails(idp.initiate_auth, ClientId=user.client_id,
                 AuthFlow="REFRESH_TOKEN_AUTH",
                 AuthParameters={"REFRESH_TOKEN": r["RefreshToken"],
                                 "DEVICE_KEY": other}) == (
        "NotAuthorizedException", "Invalid Refresh Token")
    claims = jwt.decode(again["AccessToken"],
                        options={"verify_signature": False})
    assert claims["device_key"] == key
    idp.admin_forget_device(UserPoolId=user.pool_id,
                            Username=user.username, DeviceKey=key)
    assert fails(idp.initiate_auth, ClientId=user.client_id,
                 AuthFlow="REFRESH_TOKEN_AUTH",
                 AuthParameters={"REFRESH_TOKEN": r["RefreshToken"]})[0] \
        == "NotAuthorizedException"
    assert idp.get_user(AccessToken=again["AccessToken"])["Username"] == \
        user.username
    # The session of the other device lives on.
    assert idp.get_user(AccessToken=user.access)["Username"] == \
        user.username
    assert [d["DeviceKey"] for d in idp.admin_list_devices(
        UserPoolId=user.pool_id, Username=user.username)["Devices"]] in \
        ([], [other])


# --- Another user's, another pool's devices -----------------------------

def test_other_users_devices_are_not_found(server, idp, app, user):
    key, secret, _ = user.new_device("mine")
    mallory = User(idp, *app)
    assert fails(idp.get_device, AccessToken=mallory.access,
                 DeviceKey=key) == MISSING
    assert fails(idp.update_device_status, AccessToken=mallory.access,
                 DeviceKey=key,
                 DeviceRememberedStatus="not_remembered") == MISSING
    assert fails(idp.forget_device, AccessToken=mallory.access,
                 DeviceKey=key) == MISSING
    assert fails(idp.confirm_device, AccessToken=mallory.access,
                 DeviceKey=key,
                 DeviceSecretVerifierConfig=secret.config) == MISSING
    # Nor can Mallory confirm Alice's unconfirmed device.
    fresh, group = user.sign_in()
    assert fails(idp.confirm_device, AccessToken=mallory.access,
                 DeviceKey=fresh,
                 DeviceSecretVerifierConfig=Secret(group, fresh).config) \
        == MISSING
    assert mallory.idp.list_devices(AccessToken=mallory.access)[
        "Devices"] == []
    assert fails(idp.admin_get_device, UserPoolId=app[0],
                 Username=mallory.username, DeviceKey=key) == MISSING
    # Untouched: still Alice's, still remembered.
    d = idp.get_device(AccessToken=user.access, DeviceKey=key)["Device"]
    assert attrs(d)["dev:device_remembered_status"] == "remembered"
    assert attrs(d)["device_name"] == "mine"


def test_other_pools_devices_are_not_found(server, idp, make_pool, user):
    key, _, _ = user.new_device()
    up = make_pool()
    make_user(idp, up["Id"], user.username)
    assert fails(idp.admin_get_device, UserPoolId=up["Id"],
                 Username=user.username, DeviceKey=key) == MISSING
    assert fails(idp.admin_forget_device, UserPoolId=up["Id"],
                 Username=user.username, DeviceKey=key) == MISSING
    idp.get_device(AccessToken=user.access, DeviceKey=key)


# --- Revoked access tokens ------------------------------------------------

def test_revoked_access_token(server, idp, user):
    key, _, _ = user.new_device()
    idp.global_sign_out(AccessToken=user.access)
    revoked = ("NotAuthorizedException", "Access Token has been revoked")
    assert fails(idp.list_devices, AccessToken=user.access) == revoked
    assert fails(idp.get_device, AccessToken=user.access,
                 DeviceKey=key) == revoked
    assert fails(idp.forget_device, AccessToken=user.access,
                 DeviceKey=key) == revoked
    name, msg = server.aws_error("update-device-status", "--access-token",
                                 user.access, "--device-key", key,
                                 "--device-remembered-status",
                                 "not_remembered")
    assert (name, msg) == revoked
    # The device outlives the sign-out.
    d = idp.admin_get_device(UserPoolId=user.pool_id,
                             Username=user.username, DeviceKey=key)
    assert attrs(d["Device"])["dev:device_remembered_status"] == \
        "remembered"


# --- The administrator's operations ---------------------------------------

def test_admin_operations(server, idp, app):
    email = "dev-%s@example.com" % uuid.uuid4().hex[:8]
    u = User(idp, *app, email=email)
    a, _, _ = u.new_device("laptop")
    b, _, _ = u.new_device("phone")
    pid = app[0]
    # By username and by the verified e-mail alias.
    for name in (u.username, email):
        d = idp.admin_get_device(UserPoolId=pid, Username=name,
                                 DeviceKey=a)["Device"]
        assert d["DeviceKey"] == a
        assert attrs(d)["device_name"] == "laptop"
    r = idp.admin_list_devices(UserPoolId=pid, Username=email, Limit=1)
    assert [d["DeviceKey"] for d in r["Devices"]] == [a]
    r = idp.admin_list_devices(UserPoolId=pid, Username=u.username,
                               PaginationToken=r["PaginationToken"])
    assert [d["DeviceKey"] for d in r["Devices"]] == [b]
    assert "PaginationToken" not in r
    idp.admin_update_device_status(UserPoolId=pid, Username=u.username,
                                   DeviceKey=b,
                                   DeviceRememberedStatus="not_remembered")
    d = idp.get_device(AccessToken=u.access, DeviceKey=b)["Device"]
    assert attrs(d)["dev:device_remembered_status"] == "not_remembered"
    idp.admin_forget_device(UserPoolId=pid, Username=email, DeviceKey=a)
    assert fails(idp.get_device, AccessToken=u.access,
                 DeviceKey=a) == MISSING
    assert fails(idp.admin_forget_device, UserPoolId=pid,
                 Username=u.username, DeviceKey=a) == MISSING
    for call, kw in ((idp.admin_get_device, {"DeviceKey": b}),
                     (idp.admin_list_devices, {}),
                     (idp.admin_forget_device, {"DeviceKey": b}),
                     (idp.admin_update_device_status, {"DeviceKey": b})):
        assert fails(call, UserPoolId=pid, Username="nobody", **kw) == (
            "UserNotFoundException", "User does not exist.")
        code, _ = fails(call, UserPoolId="us-east-1_Nope0000",
                        Username=u.username, **kw)
        assert code == "ResourceNotFoundException"
    # Public operations are not signed; admin ones are.
    r = server.api("AdminListDevices", {"UserPoolId": pid,
                                        "Username": u.username},
                   signed=False)
    assert r.status >= 400


def test_admin_operations_with_the_aws_cli(server, idp, user):
    key, _, _ = user.new_device("cli box")
    pid = user.pool_id
    d = server.aws("admin-get-device", "--user-pool-id", pid, "--username",
                   user.username, "--device-key", key)["Device"]
    assert attrs(d)["device_name"] == "cli box"
    assert "T" in d["DeviceCreateDate"]  # the CLI renders ISO dates
    out = server.aws("admin-list-devices", "--user-pool-id", pid,
                     "--username", user.username)
    assert [x["DeviceKey"] for x in out["Devices"]] == [key]
    server.aws("admin-update-device-status", "--user-pool-id", pid,
               "--username", user.username, "--device-key", key,
               "--device-remembered-status", "not_remembered")
    server.aws("admin-forget-device", "--user-pool-id", pid, "--username",
               user.username, "--device-key", key)
    assert server.aws_error("admin-get-device", "--user-pool-id", pid,
                            "--username", user.username, "--device-key",
                            key) == MISSING


# --- The whole flow with the AWS CLI ----------------------------------------

def test_device_flow_with_the_aws_cli(server, user):
    key, group = user.sign_in()
    secret = Secret(group, key)
    r = server.aws("confirm-device", "--access-token", user.access,
                   "--device-key", key, "--device-secret-verifier-config",
                   json.dumps(secret.config), "--device-name", "terminal")
    assert r == {"UserConfirmationNecessary": False}
    assert server.aws_error(
        "confirm-device", "--access-token", user.access, "--device-key",
        key, "--device-secret-verifier-config",
        json.dumps(secret.config)) == EXISTS
    d = server.aws("get-device", "--access-token", user.access,
                   "--device-key", key)["Device"]
    assert attrs(d)["device_name"] == "terminal"
    out = server.aws("list-devices", "--access-token", user.access)
    assert [x["DeviceKey"] for x in out["Devices"]] == [key]
    server.aws("forget-device", "--access-token", user.access,
               "--device-key", key)
    assert server.aws_error("get-device", "--access-token", user.access,
                            "--device-key", key) == MISSING


# --- Device SRP, the verifier at rest -----------------------------------

def device_sign_in(idp, user, key, group, password):
    """The password, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER
    with the device's secret (the arithmetic of srp_client.py, the group
    key in the place of the pool's name and the device key in the
    user's); the AuthenticationResult."""
    out = idp.admin_initiate_auth(
        UserPoolId=user.pool_id, ClientId=user.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD,
                        "DEVICE_KEY": key})
    assert out["ChallengeName"] == "DEVICE_SRP_AUTH"
    s = Srp("_" + group)
    out = idp.admin_respond_to_auth_challenge(
        UserPoolId=user.pool_id, ClientId=user.client_id,
        ChallengeName="DEVICE_SRP_AUTH", Session=out["Session"],
        ChallengeResponses={"USERNAME": user.username, "DEVICE_KEY": key,
                            "SRP_A": s.srp_a})
    assert out["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    params = dict(out["ChallengeParameters"], USER_ID_FOR_SRP=key)
    answer = dict(s.answer(params, password), USERNAME=user.username,
                  DEVICE_KEY=key)
    return idp.admin_respond_to_auth_challenge(
        UserPoolId=user.pool_id, ClientId=user.client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER", Session=out["Session"],
        ChallengeResponses=answer)["AuthenticationResult"]


def stored_device_verifier(srv, pool_id, key):
    rows = srv.psql("SELECT verifier FROM devices WHERE pool_id = '%s' "
                    "AND device_key = '%s'" % (pool_id, key))
    assert len(rows) == 1
    return rows[0][0]


def test_device_verifier_is_sealed_at_rest(server, idp, user):
    """ConfirmDevice stores the device's SRP verifier sealed under the
    master key, not the hex of the bytes sent; device SRP still signs in
    with the device's secret and refuses another."""
    key, group = user.sign_in()
    secret = Secret(group, key)
    idp.confirm_device(AccessToken=user.access, DeviceKey=key,
                       DeviceSecretVerifierConfig=secret.config)
    stored = stored_device_verifier(server, user.pool_id, key)
    assert stored.startswith("v1.") and secret.verifier not in stored
    res = device_sign_in(idp, user, key, group, secret.password)
    assert "NewDeviceMetadata" not in res
    assert jwt.decode(res["AccessToken"], options={
        "verify_signature": False})["device_key"] == key
    with pytest.raises(botocore.exceptions.ClientError) as e:
        device_sign_in(idp, user, key, group, secret.password + "x")
    assert error_of(e)[0] == "NotAuthorizedException"


def test_a_device_verifier_stored_in_plain_works_and_is_sealed_at_start(
        own_server):
    """A device confirmed before device verifiers were sealed (its row
    set back to the plain hex here) still signs in with device SRP, and
    the next start seals it."""
    srv = own_server
    idp = srv.boto3()
    pid = idp.create_user_pool(PoolName="legacy", DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": False})["UserPool"]["Id"]
    user = User(idp, pid, make_client(idp, pid)["ClientId"])
    key, group = user.sign_in()
    secret = Secret(group, key)
    idp.confirm_device(AccessToken=user.access, DeviceKey=key,
                       DeviceSecretVerifierConfig=secret.config)
    srv.psql("UPDATE devices SET verifier = '%s' WHERE pool_id = '%s' AND "
             "device_key = '%s'" % (secret.verifier, pid, key))
    assert device_sign_in(idp, user, key, group, secret.password)
    idp = restarted(srv)
    user.idp = idp
    stored = stored_device_verifier(srv, pid, key)
    assert stored.startswith("v1.") and secret.verifier not in stored
    assert device_sign_in(idp, user, key, group, secret.password)
    assert "sealed 1 device SRP verifiers stored in plain" in srv.log_text()
