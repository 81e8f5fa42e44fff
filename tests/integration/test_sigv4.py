"""SigV4 rules of the signed JSON API, through botocore's signer, the AWS
CLI and boto3.

A signature must cover host, x-amz-date and x-amz-target (a signature
that leaves the operation out could be replayed as another operation),
be scoped to the server's region, and be dated within AWS's 15 minutes.
"""

import json
import time

import pytest

from conftest import error_of

TARGET = "AWSCognitoIdentityProviderService."


def signed(server, target, body, region="us-east-1", when=None,
           unsigned=None):
    """Headers of POST / signed by botocore for `region`; the headers in
    `unsigned` are added after signing, so the signature leaves them
    out."""
    import datetime
    from unittest import mock
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    key_id, secret = server.admin_credentials()
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if "X-Amz-Target" not in (unsigned or {}):
        headers["X-Amz-Target"] = TARGET + target
    req = AWSRequest(method="POST", url=server.https + "/", data=body,
                     headers=headers)
    auth = SigV4Auth(Credentials(key_id, secret), "cognito-idp", region)
    if when is None:
        auth.add_auth(req)
    else:
        fixed = datetime.datetime.utcfromtimestamp(when)
        with mock.patch("botocore.auth.datetime") as dt:
            dt.datetime.utcnow.return_value = fixed
            auth.add_auth(req)
    out = dict(req.headers.items())
    out.update(unsigned or {})
    return out


def post(server, headers, body):
    r = server.request("POST", "/", body, headers)
    return r.status, r.json()


def test_correct_signature_accepted(server):
    body = json.dumps({"MaxResults": 1}).encode()
    status, out = post(server, signed(server, "ListUserPools", body), body)
    assert status == 200, out
    assert "UserPools" in out


def test_unsigned_target_refused(server, pool):
    """A signature made for one operation, replayed with the operation
    name outside the signed headers, is refused: DeleteUserPool with the
    body of a harmless DescribeUserPool signature does nothing."""
    body = json.dumps({"UserPoolId": pool["Id"]}).encode()
    headers = signed(server, "DescribeUserPool", body,
                     unsigned={"X-Amz-Target": TARGET + "DeleteUserPool"})
    assert "x-amz-target" not in headers["Authorization"].lower()
    status, out = post(server, headers, body)
    assert status == 400, out
    assert out["__type"] == "InvalidSignatureException", out
    assert "x-amz-target" in out["message"], out
    # The pool is still there.
    assert server.aws("describe-user-pool", "--user-pool-id",
                      pool["Id"])["UserPool"]["Id"] == pool["Id"]


def test_wrong_region_refused(server):
    body = json.dumps({"MaxResults": 1}).encode()
    status, out = post(server, signed(server, "ListUserPools", body,
                                      region="eu-west-1"), body)
    assert status == 400, out
    assert out["__type"] == "InvalidSignatureException", out
    assert out["message"] == \
        "Credential should be scoped to a valid region.", out


def test_wrong_region_refused_cli(server):
    env = dict(server.env, AWS_DEFAULT_REGION="eu-west-1")
    name, msg = server.aws_error("list-user-pools", "--max-results", "1",
                                 env=env)
    assert name == "InvalidSignatureException", (name, msg)
    assert "region" in msg


@pytest.mark.parametrize("minutes", [-16, 16])
def test_stale_or_future_date_refused(server, minutes):
    body = json.dumps({"MaxResults": 1}).encode()
    headers = signed(server, "ListUserPools", body,
                     when=time.time() + minutes * 60)
    status, out = post(server, headers, body)
    assert status == 400, out
    assert out["__type"] == "InvalidSignatureException", out
    assert "Signature expired" in out["message"] or \
        "not yet current" in out["message"], out


def test_date_within_window_accepted(server):
    body = json.dumps({"MaxResults": 1}).encode()
    for minutes in (-14, 14):
        headers = signed(server, "ListUserPools", body,
                         when=time.time() + minutes * 60)
        status, out = post(server, headers, body)
        assert status == 200, (minutes, out)


def test_unknown_key_stale_date_needs_no_lookup(server, tmp_path):
    """A stale signature is refused for what it is, whatever the key."""
    from conftest import write_credentials
    creds = str(tmp_path / "unknown")
    write_credentials(creds, "AKIAUNKNOWNKEY000001",
                      "abcdefghijklmnopqrstuvwxyz0123456789ABCD")
    env = dict(server.aws_env(creds), AWS_DEFAULT_REGION="ap-south-1")
    name, _ = server.aws_error("list-user-pools", "--max-results", "1",
                               env=env)
    assert name == "InvalidSignatureException"
    name, _ = server.aws_error("list-user-pools", "--max-results", "1",
                               env=server.aws_env(creds))
    assert name == "UnrecognizedClientException"


def test_cli_and_boto3_still_work(server, idp):
    name = "sigv4-%d" % int(time.time() * 1000)
    up = server.aws("create-user-pool", "--pool-name", name)["UserPool"]
    try:
        got = idp.describe_user_pool(UserPoolId=up["Id"])["UserPool"]
        assert got["Name"] == name
        listed = server.aws("list-user-pools", "--max-results", "60")
        assert up["Id"] in [p["Id"] for p in listed["UserPools"]]
    finally:
        idp.delete_user_pool(UserPoolId=up["Id"])


def test_boto3_wrong_region_refused(server):
    import boto3
    import botocore.exceptions
    from botocore.config import Config
    key_id, secret = server.admin_credentials()
    c = boto3.session.Session().client(
        "cognito-idp", endpoint_url=server.https, verify=server.cacert,
        region_name="eu-west-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    with pytest.raises(botocore.exceptions.ClientError) as e:
        c.list_user_pools(MaxResults=1)
    assert error_of(e)[0] == "InvalidSignatureException"
