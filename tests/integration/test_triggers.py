"""Cognito's Lambda triggers as signed webhooks (src/hooks/triggers.c),
against a real endpoint: webhook.py's http.server on loopback, whose
handlers are written as Lambda handlers are (`def handler(event,
context)`), so an existing function runs behind it unchanged.

LambdaConfig takes URLs and the ARNs the configuration file's [triggers]
section maps; every call is signed with the pool's trigger signing
secret (shown by CreateUserPool and RotateTriggerSigningSecret only);
PreSignUp confirms, verifies or refuses a sign-up through the JSON API
(the AWS CLI, boto3) and the hosted sign-up page alike; PostConfirmation
runs after a confirmation; an endpoint that is down, slow, broken or
answers garbage gives Cognito's error and writes nothing; a URL that
keeps failing has its circuit opened, then closed again.

One worker, so that the circuit breaker (per worker) is seen whole."""
import hashlib
import hmac
import json
import os
import re
import time
import uuid

import botocore.exceptions
import pytest

from conftest import PASSWORD, Server, error_of, make_client, unique_email
from test_oauth import Browser
from test_pages import Site, link, submit
from webhook import Raw, Webhook

HERE = os.path.dirname(os.path.abspath(__file__))
ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
ARN_POST = "arn:aws:lambda:us-east-1:123456789012:function:post-confirm:live"
UNMAPPED = "arn:aws:lambda:us-east-1:123456789012:function:nowhere"
BREAKER_SECONDS = 3
REFUSAL = "Registration from this domain is not allowed."


@pytest.fixture(scope="module")
def hook():
    h = Webhook()
    yield h
    h.stop()


@pytest.fixture(scope="module")
def server(hook, tmp_path_factory):
    conf = tmp_path_factory.mktemp("triggers") / "userpoold.conf"
    conf.write_text("# the test's webhooks\nregion = us-east-1\n\n"
                    "[triggers]\n%s = %s\n%s = %s\n"
                    % (ARN, hook.url("/arn-pre"), ARN_POST,
                       hook.url("/arn-post")))
    srv = Server(extra_args=[
        "-c", str(conf), "--workers=1",
        "--trigger_breaker_seconds=%d" % BREAKER_SECONDS])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports in the daemon's log:\n" + reports


def path():
    """A path of its own for a test's endpoint (its own breaker too)."""
    return "/t-%s" % uuid.uuid4().hex[:10]


def create_pool(server, **kw):
    """CreateUserPool through the wire: (UserPool, trigger secret)."""
    r = server.api("CreateUserPool", dict(
        PoolName="trg-%s" % uuid.uuid4().hex[:8], **kw))
    assert r.status == 200, r.body
    up = r.json()["UserPool"]
    return up, up.pop("TriggerSigningSecret")


def app(server, idp, lambda_config, **kw):
    """A pool with those triggers and a public client: (pool id, client
    id, secret)."""
    up, secret = create_pool(server, LambdaConfig=lambda_config,
                             AutoVerifiedAttributes=["email"], **kw)
    return up["Id"], make_client(idp, up["Id"])["ClientId"], secret


def signature(secret, timestamp, body):
    """The documented recipe: lower-case hex of HMAC-SHA256 keyed with
    the secret's text, over timestamp "." body."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                    hashlib.sha256).hexdigest()


def no_user(idp, pool_id, username):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.admin_get_user(UserPoolId=pool_id, Username=username)
    assert error_of(e)[0] == "UserNotFoundException"


def sign_up(idp, client_id, username, email, **kw):
    return idp.sign_up(ClientId=client_id, Username=username,
                       Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": email}],
                       **kw)


# --- Configuration ----------------------------------------------------------

def test_lambda_config_takes_urls_and_mapped_arns(server, hook, idp):
    config = {"PreSignUp": hook.url("/x"), "PostConfirmation": ARN_POST,
              "PreTokenGenerationConfig": {
                  "LambdaVersion": "V2_0",
                  "LambdaArn": "https://hooks.example/pre-token"}}
    up, _ = create_pool(server, LambdaConfig=config)
    # Through the wire: this botocore's model may lack newer members.
    got = server.api("DescribeUserPool",
                     {"UserPoolId": up["Id"]}).json()["UserPool"]
    assert got["LambdaConfig"] == config
    assert "TriggerSigningSecret" not in got
    # The AWS CLI's update, with an ARN copied from AWS that is mapped.
    server.aws("update-user-pool", "--user-pool-id", up["Id"],
               "--lambda-config", json.dumps({"PreSignUp": ARN}))
    got = idp.describe_user_pool(UserPoolId=up["Id"])["UserPool"]
    assert got["LambdaConfig"] == {"PreSignUp": ARN}
    idp.delete_user_pool(UserPoolId=up["Id"])


@pytest.mark.parametrize("value, words", [
    (UNMAPPED, ["LambdaConfig.PreSignUp", UNMAPPED, "not mapped",
                "[triggers]"]),
    ("http://hooks.example/pre-sign-up", ["LambdaConfig.PreSignUp",
                                          "https://", "loopback"]),
    ("ftp://127.0.0.1/pre-sign-up", ["lambdaConfig.preSignUp",
                                     "https?://"]),
])
def test_lambda_config_refuses_what_cannot_be_called(server, value, words):
    name, msg = server.aws_error(
        "create-user-pool", "--pool-name", "bad-trigger",
        "--lambda-config", json.dumps({"PreSignUp": value}))
    assert name == "InvalidParameterException", msg
    for w in words:
        assert w in msg, msg


def test_update_refuses_an_unmapped_arn(server, idp, make_pool):
    up = make_pool()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.update_user_pool(UserPoolId=up["Id"], LambdaConfig={
            "CustomSMSSender": {"LambdaVersion": "V1_0",
                                "LambdaArn": UNMAPPED},
            "KMSKeyID": "arn:aws:kms:us-east-1:123456789012:key/k"})
    name, msg = error_of(e)
    assert name == "InvalidParameterException"
    assert "LambdaConfig.CustomSMSSender" in msg and UNMAPPED in msg
    assert idp.describe_user_pool(
        UserPoolId=up["Id"])["UserPool"]["LambdaConfig"] == {}


# --- The call: event, signature ----------------------------------------------

def shape_of(v):
    """The members and JSON types of an event, at every level."""
    if isinstance(v, dict):
        return {k: shape_of(x) for k, x in v.items()}
    return type(v).__name__


def fixture(name):
    with open(os.path.join(HERE, "triggers", name)) as f:
        return json.load(f)


def test_pre_sign_up_event_is_cognitos(server, hook, idp):
    p = path()
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    email = unique_email("ev")
    name = "ev-%s" % uuid.uuid4().hex[:8]
    idp.sign_up(ClientId=client_id, Username=name, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email},
                                {"Name": "phone_number",
                                 "Value": "+15555550100"}],
                ValidationData=[{"Name": "k1", "Value": "v1"},
                                {"Name": "k2", "Value": "v2"}],
                ClientMetadata={"exampleMetadataKey":
                                "example metadata value"})
    [ev] = hook.events(p)
    want = fixture("presignup_signup.json")
    assert shape_of(ev) == shape_of(want)
    assert ev["version"] == "1"
    assert ev["triggerSource"] == "PreSignUp_SignUp"
    assert ev["region"] == "us-east-1"
    assert ev["userPoolId"] == pool_id
    assert ev["userName"] == name
    assert ev["callerContext"]["clientId"] == client_id
    assert ev["callerContext"]["awsSdkVersion"]
    assert ev["request"]["userAttributes"] == {
        "email": email, "phone_number": "+15555550100"}
    assert ev["request"]["validationData"] == \
        want["request"]["validationData"]
    assert ev["request"]["clientMetadata"] == \
        want["request"]["clientMetadata"]
    assert ev["response"] == want["response"]
    # Without ValidationData and ClientMetadata: null and absent.
    email2 = unique_email("ev")
    sign_up(idp, client_id, "ev2-%s" % uuid.uuid4().hex[:8], email2)
    ev2 = hook.events(p)[1]
    assert ev2["request"]["validationData"] is None
    assert "clientMetadata" not in ev2["request"]


def test_calls_are_signed_with_the_pools_secret(server, hook, idp):
    p = path()
    pool_id, client_id, secret = app(server, idp,
                                     {"PreSignUp": hook.url(p)})
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    before = int(time.time())
    sign_up(idp, client_id, "sg-%s" % uuid.uuid4().hex[:8],
            unique_email("sg"))
    [call] = hook.calls(p)
    h = call["headers"]
    assert h["content-type"] == "application/json"
    assert h["x-userpoold-trigger"] == "PreSignUp"
    ts = h["x-userpoold-timestamp"]
    assert before - 1 <= int(ts) <= time.time() + 1
    assert hmac.compare_digest(h["x-userpoold-signature"],
                               signature(secret, ts, call["body"]))
    # A changed body, or another timestamp, fails the check.
    tampered = call["body"].replace(b'"PreSignUp_SignUp"',
                                    b'"PreSignUp_AdminCreateUser"')
    assert tampered != call["body"]
    assert h["x-userpoold-signature"] != signature(secret, ts, tampered)
    assert h["x-userpoold-signature"] != signature(
        secret, str(int(ts) + 1), call["body"])
    # Rotated: the next call is signed with the new secret only.
    r = server.api("RotateTriggerSigningSecret", {"UserPoolId": pool_id})
    assert r.status == 200, r.body
    new = r.json()["TriggerSigningSecret"]
    assert r.json()["UserPoolId"] == pool_id
    assert re.fullmatch(r"[0-9a-f]{64}", new) and new != secret
    sign_up(idp, client_id, "sg-%s" % uuid.uuid4().hex[:8],
            unique_email("sg"))
    call = hook.calls(p)[1]
    ts = call["headers"]["x-userpoold-timestamp"]
    sig = call["headers"]["x-userpoold-signature"]
    assert sig == signature(new, ts, call["body"])
    assert sig != signature(secret, ts, call["body"])
    # Stored sealed: the database never holds the secret's text.
    [[stored]] = server.psql("SELECT trigger_secret_sealed FROM pools "
                             "WHERE id = '%s'" % pool_id)
    assert new not in stored and stored.startswith("v1.")
    r = server.api("RotateTriggerSigningSecret",
                   {"UserPoolId": "us-east-1_nothere1"})
    assert r.status == 400 and \
        r.json()["__type"] == "ResourceNotFoundException"


# --- PreSignUp ----------------------------------------------------------------

def test_pre_sign_up_auto_confirms_through_the_aws_cli(server, hook, idp):
    p = path()

    def handler(event, context):
        event["response"]["autoConfirmUser"] = True
        event["response"]["autoVerifyEmail"] = True
        return event

    hook.on(p, handler)
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    name, email = "ac-%s" % uuid.uuid4().hex[:8], unique_email("ac")
    out = server.aws("sign-up", "--client-id", client_id, "--username",
                     name, "--password", PASSWORD, "--user-attributes",
                     "Name=email,Value=%s" % email)
    assert out["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in out
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email_verified"] == "true"
    assert server.messages(email) == []
    # Signs in at once with the password.
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id,
                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                   "ALLOW_REFRESH_TOKEN_AUTH"])
    auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name,
                                             "PASSWORD": PASSWORD})
    assert "IdToken" in auth["AuthenticationResult"]


def test_pre_sign_up_refusal_through_the_aws_cli(server, hook, idp):
    p = path()

    def handler(event, context):
        if event["request"]["userAttributes"]["email"].endswith(
                "@blocked.example"):
            raise Exception(REFUSAL)
        return event

    hook.on(p, handler)
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    name = "rf-%s" % uuid.uuid4().hex[:8]
    email = "rf-%s@blocked.example" % uuid.uuid4().hex[:8]
    exc, msg = server.aws_error(
        "sign-up", "--client-id", client_id, "--username", name,
        "--password", PASSWORD, "--user-attributes",
        "Name=email,Value=%s" % email)
    assert exc == "UserLambdaValidationException"
    assert msg == "PreSignUp failed with error %s." % REFUSAL
    no_user(idp, pool_id, name)
    assert server.messages(email) == []
    # Another domain passes: unconfirmed, with a code.
    ok = unique_email("rf")
    out = sign_up(idp, client_id, name, ok)
    assert out["UserConfirmed"] is False
    assert server.wait_code(ok)


def test_pre_sign_up_refusal_on_the_hosted_page(server, hook, idp,
                                                make_pool):
    p = path()

    def handler(event, context):
        raise Exception(REFUSAL)

    hook.on(p, handler)
    site = Site(server, idp, make_pool, pool_args={
        "AutoVerifiedAttributes": ["email"],
        "LambdaConfig": {"PreSignUp": hook.url(p)}})
    b = Browser(server)
    q, verifier, login = site.start(b)
    status, _, form = b.go("GET", link(login, "Sign up"))
    assert status == 200, form
    name, email = "hp-%s" % uuid.uuid4().hex[:8], unique_email("hp")
    status, _, page = submit(b, form, username=name, email=email,
                             password=PASSWORD)
    assert status == 400, page
    assert "PreSignUp failed with error %s." % REFUSAL in page
    assert len(hook.calls(p)) == 1
    assert hook.events(p)[0]["callerContext"]["clientId"] == site.client_id
    no_user(idp, site.pool["Id"], name)


def test_admin_create_user_runs_pre_sign_up(server, hook, idp):
    p = path()

    def handler(event, context):
        if event["request"]["userAttributes"].get("email", "").startswith(
                "no-"):
            raise Exception(REFUSAL)
        event["response"]["autoConfirmUser"] = True  # ignored here
        return event

    hook.on(p, handler)
    pool_id, _, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    name, email = "ad-%s" % uuid.uuid4().hex[:8], "no-" + unique_email()
    exc, msg = server.aws_error(
        "admin-create-user", "--user-pool-id", pool_id, "--username", name,
        "--user-attributes", "Name=email,Value=%s" % email,
        "--validation-data", "Name=k1,Value=v1")
    assert exc == "UserLambdaValidationException"
    assert msg == "PreSignUp failed with error %s." % REFUSAL
    no_user(idp, pool_id, name)
    assert server.messages(email) == []
    [ev] = hook.events(p)
    assert ev["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert ev["userName"] == name and ev["userPoolId"] == pool_id
    assert ev["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert ev["request"]["userAttributes"] == {"email": email}
    assert ev["request"]["validationData"] == {"k1": "v1"}
    # Accepted: made as AdminCreateUser makes users (autoConfirmUser is
    # not for admin-created users).
    ok = unique_email("ad")
    out = server.aws("admin-create-user", "--user-pool-id", pool_id,
                     "--username", name, "--user-attributes",
                     "Name=email,Value=%s" % ok)
    assert out["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_hosted_pages_run_both_triggers(server, hook, idp, make_pool):
    pre, post = path(), path()

    def handler(event, context):
        if event["userName"].startswith("auto-"):
            event["response"]["autoConfirmUser"] = True
        return event

    hook.on(pre, handler)
    site = Site(server, idp, make_pool, pool_args={
        "AutoVerifiedAttributes": ["email"],
        "LambdaConfig": {"PreSignUp": hook.url(pre),
                         "PostConfirmation": hook.url(post)}})
    b = Browser(server)
    q, verifier, login = site.start(b)
    # Auto-confirmed: straight back to the sign-in page, no code sent.
    status, _, form = b.go("GET", link(login, "Sign up"))
    name, email = "auto-%s" % uuid.uuid4().hex[:8], unique_email("hp")
    status, hdrs, _ = submit(b, form, username=name, email=email,
                             password=PASSWORD)
    assert status == 302 and "notice=created" in hdrs["location"], hdrs
    assert server.messages(email) == []
    [ev] = hook.events(post)
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["userName"] == name
    assert ev["callerContext"]["clientId"] == site.client_id
    # Confirmed by the code on the page: PostConfirmation then.
    status, _, form = b.go("GET", link(login, "Sign up"))
    name, email = "code-%s" % uuid.uuid4().hex[:8], unique_email("hp")
    status, _, page = submit(b, form, username=name, email=email,
                             password=PASSWORD)
    assert status == 200 and "We have sent a code" in page, page
    assert len(hook.events(post)) == 1
    status, hdrs, _ = submit(b, page, username=name,
                             code=server.wait_code(email),
                             _action="confirm")
    assert status == 302, hdrs
    ev = hook.events(post)[1]
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["userName"] == name
    assert ev["request"]["userAttributes"]["email_verified"] == "true"
    assert [e["userName"][:5] for e in hook.events(pre)] == \
        ["auto-", "code-"]


# --- PostConfirmation ---------------------------------------------------------

def test_post_confirmation_after_confirm_sign_up_and_forgot_password(
        server, hook, idp):
    pool_id, client_id, _ = app(server, idp,
                                {"PostConfirmation": ARN_POST})
    name, email = "pc-%s" % uuid.uuid4().hex[:8], unique_email("pc")
    out = sign_up(idp, client_id, name, email)
    assert hook.calls("/arn-post") == []
    idp.confirm_sign_up(ClientId=client_id, Username=name,
                        ConfirmationCode=server.wait_code(email),
                        ClientMetadata={"exampleMetadataKey":
                                        "example metadata value"})
    [ev] = hook.events("/arn-post")
    want = fixture("postconfirmation_confirmsignup.json")
    assert shape_of(ev) == shape_of(want)
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["userPoolId"] == pool_id and ev["userName"] == name
    assert ev["callerContext"]["clientId"] == client_id
    assert ev["request"]["userAttributes"] == {
        "sub": out["UserSub"], "cognito:user_status": "CONFIRMED",
        "email": email, "email_verified": "true"}
    assert ev["request"]["clientMetadata"] == \
        want["request"]["clientMetadata"]
    # A forgotten password, reset: PostConfirmation_ConfirmForgotPassword.
    idp.forgot_password(ClientId=client_id, Username=name)
    code = server.wait_code(email, count=2)
    idp.confirm_forgot_password(ClientId=client_id, Username=name,
                                ConfirmationCode=code,
                                Password="An0ther-Passw0rd!")
    ev = hook.events("/arn-post")[1]
    assert ev["triggerSource"] == "PostConfirmation_ConfirmForgotPassword"
    assert ev["request"]["userAttributes"]["sub"] == out["UserSub"]


def test_admin_confirm_sign_up_runs_post_confirmation(server, hook, idp):
    p = path()
    hook.on(p, lambda event, context: event)
    pool_id, client_id, _ = app(server, idp,
                                {"PostConfirmation": hook.url(p)})
    name, email = "acs-%s" % uuid.uuid4().hex[:8], unique_email("acs")
    out = sign_up(idp, client_id, name, email)
    server.aws("admin-confirm-sign-up", "--user-pool-id", pool_id,
               "--username", name, "--client-metadata", "origin=admin")
    [ev] = hook.events(p)
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["userName"] == name
    assert ev["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert ev["request"]["userAttributes"]["sub"] == out["UserSub"]
    assert ev["request"]["userAttributes"]["cognito:user_status"] == \
        "CONFIRMED"
    assert ev["request"]["clientMetadata"] == {"origin": "admin"}
    assert idp.admin_get_user(UserPoolId=pool_id,
                              Username=name)["UserStatus"] == "CONFIRMED"


def test_post_confirmation_failure_leaves_the_user_confirmed(server, hook,
                                                             idp):
    p = path()

    def handler(event, context):
        raise Exception("welcome mail failed")

    hook.on(p, handler)
    pool_id, client_id, _ = app(server, idp, {"PostConfirmation":
                                              hook.url(p)})
    name, email = "pf-%s" % uuid.uuid4().hex[:8], unique_email("pf")
    sign_up(idp, client_id, name, email)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        idp.confirm_sign_up(ClientId=client_id, Username=name,
                            ConfirmationCode=server.wait_code(email))
    assert error_of(e) == ("UserLambdaValidationException",
                           "PostConfirmation failed with error welcome "
                           "mail failed.")
    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert "trigger PostConfirmation failed" in server.log_text()


def test_auto_confirmed_sign_up_runs_post_confirmation(server, hook, idp):
    p = path()

    def handler(event, context):
        event["response"]["autoConfirmUser"] = True
        return event

    hook.on(p, handler)
    pool_id, client_id, _ = app(server, idp, {
        "PreSignUp": hook.url(p), "PostConfirmation": ARN_POST})
    before = len(hook.calls("/arn-post"))
    name = "apc-%s" % uuid.uuid4().hex[:8]
    sign_up(idp, client_id, name, unique_email("apc"))
    ev = hook.events("/arn-post")[before]
    assert ev["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert ev["userName"] == name and ev["userPoolId"] == pool_id


# --- Failures ---------------------------------------------------------------

def refused_cleanly(server, idp, hook, answer, exception, message=None,
                    url=None):
    """A sign-up against an endpoint answering so: the exception, and no
    user, no code; the seconds it took."""
    p = path()
    hook.on(p, lambda event, context: answer)
    pool_id, client_id, _ = app(server, idp, {"PreSignUp":
                                              url or hook.url(p)})
    name, email = "fl-%s" % uuid.uuid4().hex[:8], unique_email("fl")
    t0 = time.monotonic()
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, name, email)
    took = time.monotonic() - t0
    got, msg = error_of(e)
    assert got == exception, msg
    if message is not None:
        assert msg == message
    no_user(idp, pool_id, name)
    assert server.messages(email) == []
    return took, hook.calls(p)


def test_endpoint_down(server, idp, hook):
    s = __import__("socket").socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    took, _ = refused_cleanly(
        server, idp, hook, None, "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error ConnectionError.",
        url="http://127.0.0.1:%d/down" % port)
    assert took < 5


def test_endpoint_slow(server, idp, hook):
    took, calls = refused_cleanly(
        server, idp, hook, Raw(200, b"{}", delay=6),
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error TimeoutError.")
    assert 4.5 <= took < 6.5, took
    assert len(calls) == 1  # a timeout is not tried again


def test_endpoint_500(server, idp, hook):
    refused_cleanly(server, idp, hook, Raw(500, b"<h1>oops</h1>"),
                    "UnexpectedLambdaException",
                    "PreSignUp invocation failed due to error HTTP 500.")


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"version": "1"}',
    b'{"response": {"autoConfirmUser": "yes"}}',
])
def test_endpoint_garbage(server, idp, hook, body):
    refused_cleanly(server, idp, hook, Raw(200, body),
                    "InvalidLambdaResponseException",
                    "Unrecognizable lambda output")


def test_circuit_breaker_opens_and_closes(server, idp, hook):
    p = path()
    state = {"up": False}

    def handler(event, context):
        return event if state["up"] else Raw(503, b"down")

    hook.on(p, handler)
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})

    def attempt():
        name = "cb-%s" % uuid.uuid4().hex[:8]
        try:
            sign_up(idp, client_id, name, unique_email("cb"))
            return None
        except botocore.exceptions.ClientError as e:
            return e.response["Error"]["Message"]

    for i in range(5):  # trigger_breaker_failures
        assert "HTTP 503" in attempt()
    assert len(hook.calls(p)) == 5
    # Open: refused at once, the endpoint not called, even once it is up.
    state["up"] = True
    t0 = time.monotonic()
    assert attempt() == \
        "PreSignUp invocation failed due to error CircuitOpen."
    assert time.monotonic() - t0 < 1
    assert len(hook.calls(p)) == 5
    assert "circuit open" in server.log_text()
    # After trigger_breaker_seconds one call tries it; it answers: closed.
    time.sleep(BREAKER_SECONDS + 0.5)
    assert attempt() is None
    assert attempt() is None
    assert len(hook.calls(p)) == 7
    assert "circuit closed" in server.log_text()


def test_connections_are_reused(server, idp, hook):
    p = path()
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    for i in range(8):
        sign_up(idp, client_id, "cr-%s" % uuid.uuid4().hex[:8],
                unique_email("cr"))
    peers = {c["peer"] for c in hook.calls(p)}
    # Eight calls over the fetch threads' kept-alive connections: at
    # most one connection per thread (4), not one per call.
    assert len(hook.calls(p)) == 8
    assert len(peers) <= 4, peers


def test_a_pool_without_a_secret_calls_nothing_unsigned(server, idp, hook):
    # As a pool made before trigger secrets existed.
    p = path()
    pool_id, client_id, _ = app(server, idp, {"PreSignUp": hook.url(p)})
    server.psql("UPDATE pools SET trigger_secret_sealed = NULL WHERE id = "
                "'%s'" % pool_id)
    name = "ns-%s" % uuid.uuid4().hex[:8]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sign_up(idp, client_id, name, unique_email("ns"))
    assert error_of(e) == ("UnexpectedLambdaException",
                           "PreSignUp invocation failed due to error "
                           "NoSigningSecret.")
    assert hook.calls(p) == []
    no_user(idp, pool_id, name)
    r = server.api("RotateTriggerSigningSecret", {"UserPoolId": pool_id})
    secret = r.json()["TriggerSigningSecret"]
    sign_up(idp, client_id, name, unique_email("ns"))
    [call] = hook.calls(p)
    h = call["headers"]
    assert h["x-userpoold-signature"] == signature(
        secret, h["x-userpoold-timestamp"], call["body"])


def test_pools_without_triggers_call_nothing(server, hook, idp, make_pool):
    up = make_pool(AutoVerifiedAttributes=["email"])
    client_id = make_client(idp, up["Id"])["ClientId"]
    n = len(hook.requests)
    out = sign_up(idp, client_id, "nt-%s" % uuid.uuid4().hex[:8],
                  unique_email("nt"))
    assert out["UserConfirmed"] is False
    assert len(hook.requests) == n
