"""The hosted UI in a real headless Chromium (Debian's chromium, driven
by playwright-core from npm), with a relying party built on
openid-client that discovers the pool's issuer, and jose verifying the
tokens against the JWKS (tests/clients/browser.js). Screenshots of each
page are saved under the test's output directory (SHOTS_DIR, or
build/screenshots)."""
import os
import shutil
import subprocess

import pytest

from conftest import PASSWORD, REPO, daemon_env, free_port, make_user
from test_npm_clients import CLIENTS, App, node  # noqa: F401 (a fixture)

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def chromium(node):  # noqa: F811
    """One Chromium for the file (tests/clients/browser_server.js): its
    websocket endpoint, which browser.js connects to."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian's chromium is not installed")
    proc = subprocess.Popen(
        [node, os.path.join(CLIENTS, "browser_server.js")], cwd=CLIENTS,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=daemon_env())
    endpoint = proc.stdout.readline().strip()
    if not endpoint.startswith("ws://"):
        proc.kill()
        proc.wait()
        pytest.fail("browser_server.js did not start Chromium (exit %r)"
                    % proc.poll())
    yield endpoint
    proc.stdin.close()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def browser_app(server, make_pool, idp, chromium):
    app = App(server, make_pool, idp)
    app.browser_ws = chromium
    port = free_port()
    app.idp.create_user_pool_domain(UserPoolId=app.pool_id,
                                    Domain="web-%s" % app.pool_id.split(
                                        "_")[1].lower()[:20])
    app.client_id = idp.create_user_pool_client(
        UserPoolId=app.pool_id, ClientName="rp",
        AllowedOAuthFlows=["code"], AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid", "email", "profile"],
        CallbackURLs=["http://localhost:%d/callback" % port],
        LogoutURLs=["http://localhost:%d/bye" % port],
        SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"][
        "ClientId"]
    app.port = port
    return app


def shots_dir(name):
    d = os.environ.get("SHOTS_DIR") or os.path.join(REPO, "build",
                                                     "screenshots")
    d = os.path.join(d, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def test_code_flow_in_chromium(server, node, browser_app):  # noqa: F811
    app = browser_app
    email = "rp-%s@example.com" % app.port
    name = make_user(app.idp, app.pool_id, email=email)
    shots = shots_dir("code_flow")
    r = app.run(node, "browser.js", "code_flow", timeout=180,
                port=app.port, username=name, password=PASSWORD,
                shots=shots)
    meta = r.value("discovery")
    assert meta["issuer"] == "%s/%s" % (server.https, app.pool_id)
    assert meta["authorization_endpoint"].endswith("/oauth2/authorize")
    page = r.value("loginPage")
    assert page["label"] == "Username"
    assert "Incorrect username or password." in r.value("wrongPassword")
    assert "code=" in r.value("signIn")
    tokens = r.value("codeGrant")
    assert tokens["token_type"].lower() == "bearer"
    idc = r.value("verifyIdToken")
    assert idc["email"] == email and idc["cognito:username"] == name
    assert idc["aud"] == app.client_id
    acc = r.value("verifyAccessToken")
    assert acc["scope"] == "openid email profile" and acc["version"] == 2
    info = r.value("userInfo")
    assert info["sub"] == idc["sub"] and info["email"] == email
    assert r.value("refresh")["access"] is True
    assert r.value("singleSignOn")["sub"] == idc["sub"]
    r.value("revoke")
    r.error("refreshRevoked")
    assert r.value("logout") == "http://localhost:%d/bye" % app.port
    assert r.value("loginAfterLogout") is True
    for f in ("1-login", "2-wrong-password", "3-back-in-the-app",
              "4-signed-out", "5-login-again"):
        assert os.path.getsize(os.path.join(shots, f + ".png")) > 1000


def test_sign_up_in_chromium_on_a_phone(server, node, browser_app):  # noqa: F811
    app = browser_app
    name = "new-%d" % app.port
    email = name + "@example.com"
    shots = shots_dir("signup_flow")
    r = app.run(node, "browser.js", "signup_flow", timeout=180,
                port=app.port, username=name, email=email,
                password=PASSWORD, shots=shots)
    assert "characters" in r.value("signupPage")
    assert "confirm" in r.value("signUp").lower()
    assert "confirmed" in r.value("confirm").lower()
    assert "code=" in r.value("signIn")
    claims = r.value("codeGrant")
    assert claims["email"] == email and claims["cognito:username"] == name
    user = app.idp.admin_get_user(UserPoolId=app.pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    for f in ("1-signup", "2-confirm", "3-confirmed"):
        assert os.path.getsize(os.path.join(shots, f + ".png")) > 1000


def test_mfa_in_chromium(server, node, browser_app):  # noqa: F811
    app = browser_app
    server.aws("set-user-pool-mfa-config", "--user-pool-id", app.pool_id,
               "--software-token-mfa-configuration", "Enabled=true",
               "--mfa-configuration", "ON")
    name = make_user(app.idp, app.pool_id,
                     email="mfa-%d@example.com" % app.port)
    shots = shots_dir("mfa_flow")
    r = app.run(node, "browser.js", "mfa_flow", timeout=180,
                port=app.port, username=name, password=PASSWORD,
                shots=shots)
    page = r.value("setUpPage")
    assert page["qr"] is True and len(page["key"]) >= 16
    sub = r.value("setUp")
    assert r.value("appCode") == sub
    user = app.idp.admin_get_user(UserPoolId=app.pool_id, Username=name)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
