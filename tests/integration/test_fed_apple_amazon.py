"""Sign in with Apple and Login with Amazon at a pool domain (issue 11:
src/fed/apple.c, src/fed/oidc_idp.c, src/fed/social.c,
src/oauth/idpresponse.c), against the stand-ins of idp_servers.py
(idps/apple.py, idps/amazon.py), driven by the scripted cookie-jar
browser.

Apple: the authorize request asks for response_mode=form_post with the
scopes and a nonce; Apple's answer is a cross-site POST to
/oauth2/idpresponse, so the state's cookie is SameSite=None; the token
request's client_secret is an ES256 JWT the daemon signs with the
provider's private_key, which the stand-in verifies with the public key
the test made; the RS256 ID token is checked against the JWKS; the names
of Apple's first-sign-in `user` field are mapped. A key Apple does not
know gets the application an error and writes no user.

Amazon: the code redeemed with client_secret_post, the user read from
/user/profile with the access token, user_id as the subject.

Both are reached by identity_provider, by idp_identifier (an
IdpIdentifiers domain) and by their buttons on the hosted /login page,
clicked in headless Chromium (Apple's form_post is then a real
cross-site POST)."""
import urllib.parse

from conftest import free_port
from idp_servers import (  # noqa: F401 (fixtures)
    Browser, amazon_idp, amazon_idp_server, apple_idp, apple_idp_server,
    html_forms)
from test_browser import chromium, shots_dir  # noqa: F401
from test_fed_oidc import CALLBACK2, Fed, attrs, refused_back
from test_npm_clients import App as NpmApp
from test_npm_clients import node  # noqa: F401
from test_oauth import CALLBACK

APPLE_MAPPING = {"email": "email", "given_name": "firstName",
                 "family_name": "lastName"}


def apple_fed(server, idp, make_pool, apple_idp, client=None):
    f = Fed(server, idp, make_pool)
    c = apple_idp.add_client([f.idpresponse])
    details = apple_idp.details(c)
    if client is not None:
        details["private_key"] = client["private_key"]
    f.add_provider("SignInWithApple", "SignInWithApple", details,
                   APPLE_MAPPING)
    f.client_id = f.make_client(["SignInWithApple"])
    return f


def through_apple(f, url):
    """The hops to Apple and its form_post back: the application's query
    (a dict), and the Set-Cookie headers of the first hop."""
    status, hdrs, _ = f.browser.get(url)
    assert status == 302, status
    cookies = hdrs.get_all("Set-Cookie")
    status, _, body = f.browser.get(hdrs["Location"])
    assert status == 200, body
    form = html_forms(body)[0]
    assert form["method"] == "post" and form["action"] == f.idpresponse
    status, hdrs, body = f.browser.post(form["action"], form["fields"])
    assert status == 302, (status, body[:500])
    loc = hdrs["Location"]
    assert loc.startswith(CALLBACK), loc
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(loc).query)), \
        cookies, form["fields"]


def test_apple_sign_in_with_form_post(server, idp, make_pool, apple_idp):
    f = apple_fed(server, idp, make_pool, apple_idp)
    d = idp.describe_identity_provider(
        UserPoolId=f.pool_id,
        ProviderName="SignInWithApple")["IdentityProvider"]
    assert "private_key" not in d["ProviderDetails"]
    user = apple_idp.add_user(firstName="Ada", lastName="Lovelace")
    apple_idp.set(auto_login=user["sub"])
    url, q, verifier = f.authorize_url(identity_provider="SignInWithApple")
    back, cookies, posted = through_apple(f, url)
    sent = apple_idp.log("authorize")[-1]["params"]
    assert sent["response_mode"] == "form_post"
    assert sent["scope"] == "email name" and len(sent["nonce"]) >= 22
    assert "code_challenge" not in sent
    assert "user" in posted		# Apple tells the name the first time
    cookie = [c for c in cookies if c.startswith("userpoold_idp=")][0]
    for flag in ("SameSite=None", "Secure", "HttpOnly",
                 "Path=/%s/oauth2/idpresponse" % f.prefix):
        assert flag in cookie
    assert back["state"] == q["state"]
    tok = apple_idp.log("token")[-1]
    assert tok["secret_ok"], tok["why"]
    assert "code_verifier" not in tok["params"]
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    name = "SignInWithApple_" + user["sub"]
    assert idc["cognito:username"] == name
    assert idc["email"] == user["email"]
    assert idc["identities"][0]["providerType"] == "SignInWithApple"
    u = idp.admin_get_user(UserPoolId=f.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    a = attrs(u)
    assert a["given_name"] == "Ada" and a["family_name"] == "Lovelace"
    assert a["email"] == user["email"]
    # The second sign-in (Apple sends no name now) keeps the names; a
    # new session cookie is not needed: sign out of the hosted UI first.
    f.browser.jar.clear()
    back, _, posted = through_apple(f, f.authorize_url(
        identity_provider="SignInWithApple")[0])
    assert "user" not in posted and "code" in back
    assert attrs(idp.admin_get_user(UserPoolId=f.pool_id, Username=name))[
        "given_name"] == "Ada"
    assert len(f.users()) == 1


def test_apple_refuses_a_client_secret_of_another_key(server, idp,
                                                      make_pool, apple_idp):
    other = apple_idp.add_client(["https://nowhere.example/"])
    f = apple_fed(server, idp, make_pool, apple_idp, client=other)
    user = apple_idp.add_user()
    apple_idp.set(auto_login=user["sub"])
    url, q, _ = f.authorize_url(identity_provider="SignInWithApple")
    back, _, _ = through_apple(f, url)
    tok = apple_idp.log("token")[-1]
    assert not tok["secret_ok"]
    refused_back(f, back)
    assert back["state"] == q["state"]


def test_apple_answer_by_get_or_to_another_provider_by_post(
        server, idp, make_pool, apple_idp):
    f = apple_fed(server, idp, make_pool, apple_idp)
    user = apple_idp.add_user()
    apple_idp.set(auto_login=user["sub"])
    url, q, _ = f.authorize_url(identity_provider="SignInWithApple")
    status, hdrs, _ = f.browser.get(url)
    status, _, body = f.browser.get(hdrs["Location"])
    fields = html_forms(body)[0]["fields"]
    # Without the browser's cookie the POST finds nothing.
    status, _, body = Browser(ssl_context=server.ssl_context()).post(
        f.idpresponse, fields)
    assert status == 400 and "did not start in this browser" in body
    assert f.users() == []
    # The answer's parameters in a GET are as good (Apple without scopes).
    status, hdrs, _ = f.browser.get(f.idpresponse + "?" +
                                    urllib.parse.urlencode(fields))
    assert status == 302 and hdrs["Location"].startswith(CALLBACK)
    assert "code=" in hdrs["Location"]


def test_login_with_amazon_at_the_stand_in(server, idp, make_pool,
                                           amazon_idp):
    f = Fed(server, idp, make_pool)
    cid, secret = amazon_idp.add_client([f.idpresponse])
    f.add_provider("LoginWithAmazon", "LoginWithAmazon",
                   amazon_idp.details(cid, secret),
                   {"email": "email", "name": "name"})
    d = idp.describe_identity_provider(
        UserPoolId=f.pool_id,
        ProviderName="LoginWithAmazon")["IdentityProvider"]
    assert d["AttributeMapping"]["username"] == "user_id"
    f.client_id = f.make_client(["LoginWithAmazon"])
    user = amazon_idp.add_user(name="Jeff Test")
    amazon_idp.set(auto_login=user["user_id"], require_pkce=True)
    back, verifier = f.sign_in(identity_provider="LoginWithAmazon")
    sent = amazon_idp.log("authorize")[-1]["params"]
    # PKCE on the Amazon leg, checked by the stand-in at its token step.
    assert sent["code_challenge_method"] == "S256"
    assert len(sent["code_challenge"]) == 43
    assert amazon_idp.log("token")[-1]["params"]["code_verifier"] is True
    assert sent["scope"] == "profile" and sent["response_type"] == "code"
    assert sent["redirect_uri"] == f.idpresponse
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    name = "LoginWithAmazon_" + user["user_id"]
    assert idc["cognito:username"] == name and idc["email"] == user["email"]
    assert idc["identities"][0]["providerType"] == "LoginWithAmazon"
    u = idp.admin_get_user(UserPoolId=f.pool_id, Username=name)
    assert u["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attrs(u)["name"] == "Jeff Test"
    tok = amazon_idp.log("token")[-1]
    assert tok["params"]["client_id"] == cid and tok["params"]["client_secret"]
    assert amazon_idp.log("profile")[-1]["auth"] == "bearer"
    # A changed address at Amazon is the user's at the next sign-in.
    amazon_idp.add_user(user_id=user["user_id"], email="new-" +
                        user["email"])
    f.browser.jar.clear()
    back, verifier = f.sign_in(identity_provider="LoginWithAmazon")
    u = idp.admin_get_user(UserPoolId=f.pool_id, Username=name)
    assert attrs(u)["email"] == "new-" + user["email"]
    # A second application signs in by the hosted-UI session alone.
    seen = len(amazon_idp.log("authorize"))
    second = f.make_client(["LoginWithAmazon"], callback=CALLBACK2)
    url, q, verifier = f.authorize_url(second, CALLBACK2)
    status, hdrs, _ = f.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK2), hdrs
    back = dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(hdrs["Location"]).query))
    assert back["state"] == q["state"]
    toks = f.tokens(back, verifier, second, CALLBACK2)
    assert f.claims(toks["access_token"], "access")["username"] == name
    assert len(amazon_idp.log("authorize")) == seen


def test_amazon_refusal_goes_back_to_the_application(server, idp,
                                                     make_pool, amazon_idp):
    f = Fed(server, idp, make_pool)
    cid, _ = amazon_idp.add_client([f.idpresponse])
    f.add_provider("LoginWithAmazon", "LoginWithAmazon",
                   amazon_idp.details(cid, "not-the-secret"))
    f.client_id = f.make_client(["LoginWithAmazon"])
    amazon_idp.set(auto_login=amazon_idp.add_user()["user_id"])
    url, q, _ = f.authorize_url(identity_provider="LoginWithAmazon")
    refused_back(f, f.follow(url))
    amazon_idp.set(deny="access_denied")
    back = f.follow(f.authorize_url(identity_provider="LoginWithAmazon")[0])
    refused_back(f, back, error="access_denied")


def apple_and_amazon(server, idp, make_pool, apple_idp, amazon_idp,
                     callback=CALLBACK):
    """A pool whose client supports both, Apple with IdpIdentifiers
    apple.example and Amazon with amazon.example; f.apple_user and
    f.amazon_user sign in by themselves at their provider."""
    f = Fed(server, idp, make_pool)
    f.add_provider("SignInWithApple", "SignInWithApple",
                   apple_idp.details(apple_idp.add_client([f.idpresponse])),
                   APPLE_MAPPING, ["apple.example"])
    cid, secret = amazon_idp.add_client([f.idpresponse])
    f.add_provider("LoginWithAmazon", "LoginWithAmazon",
                   amazon_idp.details(cid, secret),
                   {"email": "email", "name": "name"}, ["amazon.example"])
    f.client_id = f.make_client(["SignInWithApple", "LoginWithAmazon"],
                                callback=callback)
    f.apple_user = apple_idp.add_user(firstName="Ada")
    apple_idp.set(auto_login=f.apple_user["sub"])
    f.amazon_user = amazon_idp.add_user(name="Jeff Test")
    amazon_idp.set(auto_login=f.amazon_user["user_id"])
    return f


def test_apple_and_amazon_by_idp_identifier(server, idp, make_pool,
                                            apple_idp, amazon_idp):
    f = apple_and_amazon(server, idp, make_pool, apple_idp, amazon_idp)
    # Amazon by the domain alone, then by an address there.
    back, verifier = f.sign_in(idp_identifier="amazon.example")
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    amazon = "LoginWithAmazon_" + f.amazon_user["user_id"]
    assert idc["cognito:username"] == amazon
    f.browser.jar.clear()
    back, verifier = f.sign_in(idp_identifier="jeff@amazon.example")
    assert f.claims(f.tokens(back, verifier)["id_token"], "id")[
        "cognito:username"] == amazon
    assert len(amazon_idp.log("authorize")) == 2
    # Apple by an address, answering by form_post.
    f.browser.jar.clear()
    url, q, verifier = f.authorize_url(idp_identifier="ada@apple.example")
    back, _, posted = through_apple(f, url)
    assert back["state"] == q["state"] and "user" in posted
    idc = f.claims(f.tokens(back, verifier)["id_token"], "id")
    assert idc["cognito:username"] == "SignInWithApple_" + \
        f.apple_user["sub"]
    assert idc["email"] == f.apple_user["email"]
    assert apple_idp.log("authorize")[-1]["params"]["response_mode"] == \
        "form_post"
    # A domain neither has goes back as an error, to no provider.
    f.browser.jar.clear()
    url, q, _ = f.authorize_url(idp_identifier="elsewhere.example")
    status, hdrs, _ = f.browser.get(url)
    assert status == 302 and hdrs["Location"].startswith(CALLBACK)
    assert "error=invalid_request" in hdrs["Location"]
    assert len(apple_idp.log("authorize")) == 1
    assert len(amazon_idp.log("authorize")) == 2
    assert sorted(u["Username"] for u in f.users()) == sorted(
        [amazon, "SignInWithApple_" + f.apple_user["sub"]])


def test_apple_and_amazon_buttons_in_chromium(
        server, idp, make_pool, apple_idp, amazon_idp,
        node, chromium):  # noqa: F811
    """Each /login button clicked in Chromium: Apple's page posts its
    answer by script from its own site (the SameSite=None cookie comes
    along), Amazon redirects; an openid-client relying party redeems the
    pool's code and jose verifies the ID token. Apple's IdpIdentifiers
    domain typed in the e-mail field leads to Apple."""
    port = free_port()
    f = apple_and_amazon(server, idp, make_pool, apple_idp, amazon_idp,
                         callback="http://localhost:%d/callback" % port)
    f.browser_ws = chromium
    r = NpmApp.run(f, node, "fed_browser.js", "idp_buttons", timeout=120,
                   port=port, providers=["SignInWithApple",
                                         "LoginWithAmazon"],
                   email="someone@apple.example",
                   shots=shots_dir("fed_apple_amazon"))
    apple = r.value("button-SignInWithApple")
    assert apple["shown"]["buttons"] == [
        "socialButton-customizable idp-button"] * 2
    assert apple["id"]["cognito:username"] == \
        "SignInWithApple_" + f.apple_user["sub"]
    assert apple["id"]["email"] == f.apple_user["email"]
    assert apple["id"]["identities"][0]["providerType"] == "SignInWithApple"
    assert apple_idp.log("authorize")[0]["method"] == "GET"
    amazon = r.value("button-LoginWithAmazon")
    assert amazon["id"]["cognito:username"] == \
        "LoginWithAmazon_" + f.amazon_user["user_id"]
    assert amazon["id"]["email"] == f.amazon_user["email"]
    assert r.value("email")["id"]["sub"] == apple["id"]["sub"]
    assert len(apple_idp.log("authorize")) == 2
    assert [t["secret_ok"] for t in apple_idp.log("token")] == [True] * 2
    got = {u["Username"]: attrs(u) for u in f.users()}
    assert got["SignInWithApple_" + f.apple_user["sub"]]["given_name"] == \
        "Ada"
    assert got["LoginWithAmazon_" + f.amazon_user["user_id"]]["name"] == \
        "Jeff Test"
    assert len(got) == 2
