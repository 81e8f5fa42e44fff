"""--demo: the getting-started pool the README describes is made on the
first start, by the same rules as the AWS CLI commands it stands for
(CreateUserPool, CreateUserPoolClient, CreateUserPoolDomain), and only
once."""
import re
import time

import pytest

from conftest import PASSWORD, Server


def wait_log(srv, pattern, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(pattern, srv.log_text())
        if m:
            return m
        time.sleep(0.2)
    raise AssertionError("no %r in the log:\n%s" % (pattern,
                                                    srv.log_tail()))


@pytest.fixture
def demo_server():
    srv = Server(extra_args=["--demo"])
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports


def demo_pools(idp):
    return [p for p in idp.list_user_pools(MaxResults=60)["UserPools"]
            if p["Name"] == "my-users-pool"]


def test_demo_pool_client_and_domain(demo_server):
    srv = demo_server
    m = wait_log(srv, r"demo: pool my-users-pool \((\S+)\) is ready; "
                 r"hosted UI domain notes-app")
    pid = m.group(1)
    idp = srv.boto3()
    assert [p["Id"] for p in demo_pools(idp)] == [pid]
    up = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert up["UsernameAttributes"] == ["email"]
    assert up["AutoVerifiedAttributes"] == ["email"]
    assert up["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True,
        "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    email = [a for a in up["SchemaAttributes"] if a["Name"] == "email"][0]
    assert email["Required"] is True and email["Mutable"] is True
    assert up["UsernameConfiguration"] == {"CaseSensitive": False}
    assert up["AccountRecoverySetting"] == {"RecoveryMechanisms": [
        {"Priority": 1, "Name": "verified_email"}]}
    assert up["Domain"] == "notes-app"
    assert up["MfaConfiguration"] == "OFF"
    assert len(up["SchemaAttributes"]) > 10  # the standard ones too
    clients = idp.list_user_pool_clients(UserPoolId=pid)["UserPoolClients"]
    assert [c["ClientName"] for c in clients] == ["notes-app-web"]
    cid = clients[0]["ClientId"]
    assert re.search(r"demo: app client %s" % cid, srv.log_text())
    c = idp.describe_user_pool_client(UserPoolId=pid,
                                      ClientId=cid)["UserPoolClient"]
    assert "ClientSecret" not in c
    assert c["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH"]
    assert c["RefreshTokenValidity"] == 30
    assert c["EnableTokenRevocation"] is True
    assert c["PreventUserExistenceErrors"] == "LEGACY"
    d = idp.describe_user_pool_domain(Domain="notes-app")["DomainDescription"]
    assert d["UserPoolId"] == pid and d["Status"] == "ACTIVE"
    # The client signs a user in as the README's walk-through does.
    idp.admin_create_user(UserPoolId=pid, Username="ann@example.com",
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pid, Username="ann@example.com",
                                Password=PASSWORD, Permanent=True)
    r = idp.admin_initiate_auth(
        UserPoolId=pid, ClientId=cid, AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "ann@example.com",
                        "PASSWORD": PASSWORD})
    assert r["AuthenticationResult"]["IdToken"]
    # Its keys sign: the JWKS has the pool's two.
    keys = srv.request("GET", "/%s/.well-known/jwks.json" % pid).json()
    assert len(keys["keys"]) == 2
    # A second start finds it and makes nothing.
    srv.stop()
    srv.start()
    wait_log(srv, r"demo: pool my-users-pool exists as %s" % pid)
    assert [p["Id"] for p in demo_pools(srv.boto3())] == [pid]


def test_demo_is_all_or_nothing(demo_server):
    """The pool, its client and its domain are stored together: when the
    domain is another pool's, the first start makes nothing (no pool
    without a client or domain that later starts would take for the
    demo), and a start once the domain is free makes the whole demo."""
    srv = demo_server
    wait_log(srv, r"demo: pool my-users-pool \((\S+)\) is ready")
    idp = srv.boto3()
    [pool] = demo_pools(idp)
    idp.delete_user_pool_domain(UserPoolId=pool["Id"], Domain="notes-app")
    idp.delete_user_pool(UserPoolId=pool["Id"])
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=other, Domain="notes-app")
    srv.stop()
    srv.start()
    wait_log(srv, r"demo: CreateUserPool failed \(nothing was made\): "
             r"Domain already associated with another user pool\.")
    idp = srv.boto3()
    assert demo_pools(idp) == []
    idp.delete_user_pool_domain(UserPoolId=other, Domain="notes-app")
    srv.stop()
    srv.start()
    ready = r"demo: pool my-users-pool \((\S+)\) is ready; hosted UI " \
        r"domain notes-app"
    wait_log(srv, r"(?s)%s.*%s" % (ready, ready))
    pid = re.findall(ready, srv.log_text())[-1]
    assert [p["Id"] for p in demo_pools(idp)] == [pid]
    assert [c["ClientName"] for c in idp.list_user_pool_clients(
        UserPoolId=pid)["UserPoolClients"]] == ["notes-app-web"]
    d = idp.describe_user_pool_domain(Domain="notes-app")
    assert d["DomainDescription"]["UserPoolId"] == pid
