"""Pool domains with the AWS CLI (boto3 for set-up and repeated
checks): the getting-started prefix domain, what DescribeUserPoolDomain
and DescribeUserPool report, one domain per pool and one pool per
domain, reserved and malformed prefixes, custom domains, update and
delete."""
import uuid

import pytest

from conftest import error_of

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/%s" % uuid.uuid4()


def prefix():
    return "d-%s" % uuid.uuid4().hex[:10]


def describe(server, domain):
    return server.aws("describe-user-pool-domain", "--domain",
                      domain)["DomainDescription"]


def delete(server, pool_id, domain):
    server.aws("delete-user-pool-domain", "--user-pool-id", pool_id,
               "--domain", domain)


def boto_describe(server, domain):
    return server.boto3().describe_user_pool_domain(
        Domain=domain)["DomainDescription"]


def boto_delete(server, pool_id, domain):
    server.boto3().delete_user_pool_domain(UserPoolId=pool_id,
                                           Domain=domain)


def create_error(server, pool_id, domain, cli=False):
    """(Code, Message) of a CreateUserPoolDomain that must fail: through
    the AWS CLI when cli, else through boto3."""
    if cli:
        return server.aws_error("create-user-pool-domain",
                                "--user-pool-id", pool_id,
                                "--domain=%s" % domain)
    with pytest.raises(Exception) as excinfo:
        server.boto3().create_user_pool_domain(UserPoolId=pool_id,
                                               Domain=domain)
    return error_of(excinfo)


def test_getting_started_domain(server, pool):
    # notes-app may exist already (the demo); take it or a fresh prefix.
    name = "notes-app"
    if describe(server, name):
        name = prefix()
    out = server.aws("create-user-pool-domain", "--user-pool-id",
                     pool["Id"], "--domain", name)
    assert "CloudFrontDomain" not in out
    d = describe(server, name)
    assert d["UserPoolId"] == pool["Id"]
    assert d["Domain"] == name
    assert d["Status"] == "ACTIVE"
    assert d["AWSAccountId"] == "000000000000"
    assert d["CloudFrontDistribution"]
    assert d["Version"]
    p = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert p["UserPool"].get("Domain") == name
    delete(server, pool["Id"], name)
    assert describe(server, name) == {}
    p = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert "Domain" not in p["UserPool"]


def test_unknown_domain_describes_as_empty(server):
    assert describe(server, prefix()) == {}
    assert boto_describe(server, prefix()) == {}


def test_one_pool_per_domain_and_one_domain_per_pool(server, pool):
    name = prefix()
    server.aws("create-user-pool-domain", "--user-pool-id", pool["Id"],
               "--domain", name)
    other = server.aws("create-user-pool", "--pool-name",
                       "other-%s" % uuid.uuid4().hex[:8])["UserPool"]
    try:
        err = server.aws_error("create-user-pool-domain", "--user-pool-id",
                               other["Id"], "--domain", name)
        assert err == ("InvalidParameterException",
                       "Domain already associated with another user pool.")
        err = server.aws_error("create-user-pool-domain", "--user-pool-id",
                               pool["Id"], "--domain", prefix())
        assert err == ("InvalidParameterException",
                       "User pool %s already has a domain configured."
                       % pool["Id"])
        # The same prefix again for its own pool is also refused.
        name2, _ = server.aws_error("create-user-pool-domain",
                                    "--user-pool-id", pool["Id"],
                                    "--domain", name)
        assert name2 == "InvalidParameterException"
        # Deleting through the wrong pool fails and keeps the domain.
        name2, _ = server.aws_error("delete-user-pool-domain",
                                    "--user-pool-id", other["Id"],
                                    "--domain", name)
        assert name2 == "InvalidParameterException"
        assert describe(server, name)["UserPoolId"] == pool["Id"]
    finally:
        server.aws("delete-user-pool", "--user-pool-id", other["Id"])
    delete(server, pool["Id"], name)


@pytest.mark.parametrize("bad", [
    "console", "health", "static", "oauth2", "login", "well-known",
    "my-aws-app", "amazon", "cognito-login",
])
def test_reserved_prefixes(server, pool, bad):
    name, msg = create_error(server, pool["Id"], bad, cli=bad == "console")
    assert name == "InvalidParameterException", msg


@pytest.mark.parametrize("bad", [
    "Notes-App", "notes_app", "-notes", "notes-", "notes.app",
    "a" * 64,
])
def test_malformed_prefixes(server, pool, bad):
    name, msg = create_error(server, pool["Id"], bad,
                             cli=bad in ("Notes-App", "-notes"))
    assert name == "InvalidParameterException", msg


def test_domain_for_a_missing_pool(server):
    err = server.aws_error("create-user-pool-domain", "--user-pool-id",
                           "us-east-1_nosuch", "--domain", prefix())
    assert err == ("ResourceNotFoundException",
                   "User pool us-east-1_nosuch does not exist.")


def test_custom_domain(server, pool):
    host = "Auth-%s.Example.COM" % uuid.uuid4().hex[:6]
    out = server.aws("create-user-pool-domain", "--user-pool-id",
                     pool["Id"], "--domain", host, "--custom-domain-config",
                     "CertificateArn=%s" % CERT)
    assert out["CloudFrontDomain"]
    d = describe(server, host.lower())
    assert d["Domain"] == host.lower()
    assert d["CustomDomainConfig"] == {"CertificateArn": CERT}
    assert d["UserPoolId"] == pool["Id"]
    p = server.aws("describe-user-pool", "--user-pool-id", pool["Id"])
    assert p["UserPool"].get("CustomDomain") == host.lower()
    # A prefix domain may live beside it.
    name = prefix()
    server.aws("create-user-pool-domain", "--user-pool-id", pool["Id"],
               "--domain", name)
    cert2 = CERT + "-2"
    server.aws("update-user-pool-domain", "--user-pool-id", pool["Id"],
               "--domain", host.lower(), "--custom-domain-config",
               "CertificateArn=%s" % cert2)
    assert describe(server, host.lower())["CustomDomainConfig"] == \
        {"CertificateArn": cert2}
    name2, _ = server.aws_error("update-user-pool-domain", "--user-pool-id",
                                pool["Id"], "--domain", name,
                                "--custom-domain-config",
                                "CertificateArn=%s" % cert2)
    assert name2 == "InvalidParameterException"
    delete(server, pool["Id"], host.lower())
    delete(server, pool["Id"], name)


def test_custom_domain_must_be_a_host_name(server, pool):
    name, msg = server.aws_error(
        "create-user-pool-domain", "--user-pool-id", pool["Id"],
        "--domain", "localhost", "--custom-domain-config",
        "CertificateArn=%s" % CERT)
    assert name == "InvalidParameterException", msg
    for bad in ("under_score.example.com", "a..example.com"):
        with pytest.raises(Exception) as excinfo:
            server.boto3().create_user_pool_domain(
                UserPoolId=pool["Id"], Domain=bad,
                CustomDomainConfig={"CertificateArn": CERT})
        name, msg = error_of(excinfo)
        assert name == "InvalidParameterException", (bad, msg)


def test_delete_unknown_domain(server, pool):
    name, _ = server.aws_error("delete-user-pool-domain", "--user-pool-id",
                               pool["Id"], "--domain", prefix())
    assert name == "InvalidParameterException"


def test_managed_login_version(server, pool):
    cognito = server.boto3()
    name = prefix()
    body = {"UserPoolId": pool["Id"], "Domain": name,
            "ManagedLoginVersion": 2}
    r = server.api("CreateUserPoolDomain", body)
    assert r.status == 200, r
    assert r.json() == {"ManagedLoginVersion": 2}
    r = server.api("DescribeUserPoolDomain", {"Domain": name})
    assert r.json()["DomainDescription"]["ManagedLoginVersion"] == 2
    r = server.api("UpdateUserPoolDomain", {"UserPoolId": pool["Id"],
                                            "Domain": name,
                                            "ManagedLoginVersion": 1})
    assert r.status == 200, r
    assert r.json() == {"ManagedLoginVersion": 1}
    cognito.delete_user_pool_domain(UserPoolId=pool["Id"], Domain=name)


# Names the router once took for a domain prefix on the API host although
# CreateUserPoolDomain refuses them (a leading or trailing '-', the API
# host's own paths, a reserved word): one rule now decides both.
@pytest.mark.parametrize("bad", [
    "-notes", "notes-", "oauth2", "login", "logout", "signup", "saml2",
    "well-known", "api", "admin", "assets", "my-aws-app",
])
def test_router_takes_no_refused_prefix_for_a_domain(server, pool, bad):
    name, msg = create_error(server, pool["Id"], bad)
    assert name == "InvalidParameterException", msg
    # The API host's own answer for a path it does not serve, not a
    # hosted-UI page of a domain that cannot exist.
    r = server.request("GET", "/%s/login" % bad)
    assert r.status == 404, r
    assert r.headers["content-type"].startswith("text/plain"), r
    assert r.body == b"Not Found\n"


@pytest.mark.parametrize("good", ["a", "0-9", "x" * 63, "a--b"])
def test_every_accepted_prefix_is_reached_by_path(server, pool, good):
    name = good if good != "a--b" else "a--%s" % uuid.uuid4().hex[:8]
    d = boto_describe(server, name)
    if d:
        boto_delete(server, d["UserPoolId"], name)
    server.boto3().create_user_pool_domain(UserPoolId=pool["Id"],
                                           Domain=name)
    try:
        r = server.request("GET", "/%s/login" % name)
        # The domain's sign-in page, asking for the authorization request.
        assert r.status == 400, r
        assert r.headers["content-type"].startswith("text/html"), r
    finally:
        boto_delete(server, pool["Id"], name)
