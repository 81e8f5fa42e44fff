"""The seed walkthroughs (shared/seeds/*.txt) replayed in the admin
console with a headless Chromium (tests/clients/console_seeds.js: Debian's
chromium driven by playwright-core, every element found by its role and
accessible name): seed 001 and 003, seed 000 in both consoles and seed
004. After each, the AWS CLI describes exactly what was clicked; then the
test user made on the Users and groups page signs in on the hosted page
with the temporary password and is asked for a new one (scenario
test_user). Screenshots of every step are saved under SHOTS_DIR (or
build/screenshots), console_seed_<name>/, whose path the test prints."""
import json
import os
import subprocess
import uuid

from conftest import daemon_env
from test_browser import chromium, shots_dir  # noqa: F401 (fixtures)
from test_npm_clients import CLIENTS, node  # noqa: F401 (a fixture)

TEMP = "Temp-Passw0rd!"
CALLBACK = "https://app.example.com/callback"
DEFAULT_POLICY = {"MinimumLength": 8, "RequireUppercase": True,
                  "RequireLowercase": True, "RequireNumbers": True,
                  "RequireSymbols": True,
                  "TemporaryPasswordValidityDays": 7}
# Seed 004's review table of the defaults.
DEFAULTS_TABLE = {
    "Pool name": None,  # the name typed
    "Required attributes": "email",
    "Alias attributes": "Choose alias attributes...",
    "Username attributes": "Choose username attributes...",
    "Minimum password length": "8",
    "Password policy": "uppercase letters, lowercase letters, special "
                       "characters, numbers",
    "User sign ups allowed?": "Users can sign themselves up",
    "MFA": "Enable MFA...",
    "Verifications": "Email",
    "Tags": "Choose tags for your user pool",
    "App clients": "Add app client...",
    "Triggers": "Add triggers...",
}


def tag():
    return uuid.uuid4().hex[:8]


def walk(server, node, ws, scenario, shots, **params):  # noqa: F811
    """Run a scenario of console_seeds.js; its steps (name: value)."""
    with open(os.path.join(server.state_dir, "console-password")) as f:
        password = f.read().strip()
    params.update(console=server.https + "/console", password=password,
                  endpoint=server.https, shots=shots, temp=TEMP,
                  callback=CALLBACK)
    env = {k: v for k, v in daemon_env().items()
           if not k.startswith(("AWS_", "NODE_"))}
    env.update(COGNITO_ENDPOINT=server.https, COGNITO_POOL_ID="-",
               COGNITO_CLIENT_ID="-", OUTBOX_DIR=server.outbox_dir,
               NODE_EXTRA_CA_CERTS=server.cacert, BROWSER_WS=ws)
    r = subprocess.run(
        [node, os.path.join(CLIENTS, "console_seeds.js"), scenario,
         json.dumps(params)], cwd=CLIENTS, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=300)
    print("screenshots of %s: %s" % (scenario, shots))
    assert r.stdout.strip(), r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["aborted"] is None, (
        "%s stopped at %s: %s\n%s" % (scenario, out["aborted"],
                                      out["steps"].get(out["aborted"]),
                                      out.get("crash", "")))
    shots_taken = sorted(os.listdir(shots))
    assert len(shots_taken) >= len(out["steps"]), shots_taken
    return {k: v["value"] for k, v in out["steps"].items()}


def describe(server, pool_id):
    return server.aws("describe-user-pool", "--user-pool-id",
                      pool_id)["UserPool"]


def clients_of(server, pool_id):
    listed = server.aws("list-user-pool-clients", "--user-pool-id",
                        pool_id)["UserPoolClients"]
    return [server.aws("describe-user-pool-client", "--user-pool-id",
                       pool_id, "--client-id", c["ClientId"])[
        "UserPoolClient"] for c in listed]


def required(up):
    """The required attributes but sub, which every pool requires."""
    return sorted(a["Name"] for a in up["SchemaAttributes"]
                  if a.get("Required") and a["Name"] != "sub")


def assert_pool_page(steps, up, name):
    page = steps["pool-page"]
    assert page["heading"] == name
    assert page["id"] == up["Id"]
    assert page["arn"] == up["Arn"]
    assert page["arn"] == "arn:aws:cognito-idp:us-east-1:%s:userpool/%s" % (
        up["Arn"].split(":")[4], up["Id"])


def assert_defaults(up, name):
    """What Review defaults makes: Cognito's defaults (seed 004)."""
    assert up["Name"] == name
    assert up["Policies"]["PasswordPolicy"] == DEFAULT_POLICY
    assert required(up) == ["email"]
    assert up["AutoVerifiedAttributes"] == ["email"]
    assert up["MfaConfiguration"] == "OFF"
    assert up["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert up["UsernameConfiguration"] == {"CaseSensitive": False}
    assert not up.get("UserPoolTags")
    assert up.get("LambdaConfig", {}) == {}


def user_signs_in(server, node, ws, name, pool_id, client_id, **kw):
    """The test user's way in; the user as AdminGetUser shows it."""
    username = kw.pop("username")
    email = kw.pop("email", username)
    steps = walk(server, node, ws, "test_user",
                 shots_dir(kw.pop("shots")), pool=name, pool_id=pool_id,
                 client_id=client_id, username=username, email=email, **kw)
    assert steps["hosted-sign-in"] == "Choose a new password"
    user = server.aws("admin-get-user", "--user-pool-id", pool_id,
                      "--username", username)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    invite = server.wait_message(email)
    assert TEMP in invite["body"], invite
    return user



def test_seed_001(server, node, chromium):  # noqa: F811
    name, client = "seed001-%s" % tag(), "seed001-app"
    steps = walk(server, node, chromium, "seed001",
                 shots_dir("console_seed_001"), pool=name, client=client)
    assert steps["review-defaults"]["Pool name"] == name
    up = describe(server, steps["pool-page"]["id"])
    assert_pool_page(steps, up, name)
    assert_defaults(up, name)
    assert "UsernameAttributes" not in up or not up["UsernameAttributes"]
    (c,) = clients_of(server, up["Id"])
    assert c["ClientName"] == client
    assert c["ClientId"] == steps["create-app-client"]
    assert c.get("ClientSecret")  # Generate client secret: on by default
    user = "seed001-user-%s" % tag()
    user_signs_in(server, node, chromium, name, up["Id"], c["ClientId"],
              username=user, email="%s@example.com" % user,
              domain="seed001-%s" % tag(), need_domain=True,
              need_settings=True, shots="console_seed_001_user")


def test_seed_003(server, node, chromium):  # noqa: F811
    name, client = "notes-user-pool-%s" % tag(), "notes-app"
    steps = walk(server, node, chromium, "seed003",
                 shots_dir("console_seed_003"), pool=name, client=client)
    assert steps["review"]["Username attributes"] == "email"
    up = describe(server, steps["pool-page"]["id"])
    assert_pool_page(steps, up, name)
    assert up["UsernameAttributes"] == ["email"]
    assert not up.get("AliasAttributes")
    assert required(up) == ["email"]
    assert up["AutoVerifiedAttributes"] == ["email"]
    (c,) = clients_of(server, up["Id"])
    assert c["ClientName"] == client
    assert "ClientSecret" not in c
    assert c["ExplicitAuthFlows"] == ["ADMIN_NO_SRP_AUTH"]
    email = "seed003-%s@example.com" % tag()
    user_signs_in(server, node, chromium, name, up["Id"], c["ClientId"],
              username=email, domain="notes-app", need_domain=True,
              need_settings=True, shots="console_seed_003_user")
    dom = server.aws("describe-user-pool-domain", "--domain",
                     "notes-app")["DomainDescription"]
    assert dom["UserPoolId"] == up["Id"]


def test_seed_000_classic(server, node, chromium):  # noqa: F811
    name, client = "seed000-%s" % tag(), "seed000-app"
    steps = walk(server, node, chromium, "seed000_classic",
                 shots_dir("console_seed_000_classic"), pool=name,
                 client=client)
    assert steps["review"]["Username attributes"] == "email"
    up = describe(server, steps["pool-page"]["id"])
    assert_pool_page(steps, up, name)
    assert up["UsernameAttributes"] == ["email"]
    assert up["UsernameConfiguration"] == {"CaseSensitive": False}
    (c,) = clients_of(server, up["Id"])
    email = "seed000c-%s@example.com" % tag()
    user_signs_in(server, node, chromium, name, up["Id"], c["ClientId"],
              username=email, domain="seed000c-%s" % tag(),
              need_domain=True, need_settings=True,
              shots="console_seed_000_classic_user")


def test_seed_000_new(server, node, chromium):  # noqa: F811
    name, client = "seed000n-%s" % tag(), "seed000n-app"
    domain = "seed000n-%s" % tag()
    steps = walk(server, node, chromium, "seed000_new",
                 shots_dir("console_seed_000_new"), pool=name,
                 client=client, domain=domain)
    review = steps["review-and-create"]
    assert review["Pool name"] == name
    assert review["Username attributes"] == "email"
    assert review["App clients"] == client
    assert review["Cognito domain"] == domain
    up = describe(server, steps["pool-page"]["id"])
    assert_pool_page(steps, up, name)
    assert up["UsernameAttributes"] == ["email"]
    assert up["Domain"] == domain
    assert up["Policies"]["PasswordPolicy"] == DEFAULT_POLICY
    (c,) = clients_of(server, up["Id"])
    assert c["ClientName"] == client
    assert "ClientSecret" not in c
    assert c["AllowedOAuthFlows"] == ["code"]
    assert c["AllowedOAuthFlowsUserPoolClient"] is True
    assert c["SupportedIdentityProviders"] == ["COGNITO"]
    assert c["CallbackURLs"] == [CALLBACK]
    email = "seed000n-%s@example.com" % tag()
    user_signs_in(server, node, chromium, name, up["Id"], c["ClientId"],
              username=email, domain=domain,
              shots="console_seed_000_new_user")


def test_seed_004(server, node, chromium):  # noqa: F811
    name, client = "my-users-pool-%s" % tag(), "my-users-pool-clients"
    steps = walk(server, node, chromium, "seed004",
                 shots_dir("console_seed_004"), pool=name, client=client,
                 role="myuserspool-SMS-Role")
    want = dict(DEFAULTS_TABLE, **{"Pool name": name})
    assert steps["review-defaults"] == want
    stepped = steps["review"]
    assert stepped["MFA"] == "Optional"
    assert stepped["Verifications"] == "Email or phone number"
    assert stepped["App clients"] == client
    up = describe(server, steps["pool-page"]["id"])
    assert_pool_page(steps, up, name)
    general = steps["pool-page"]["general"]
    assert general["App clients"] == client
    assert general["MFA"] == "Optional"
    assert up["MfaConfiguration"] == "OPTIONAL"
    assert sorted(up["AutoVerifiedAttributes"]) == ["email", "phone_number"]
    assert up["SmsConfiguration"]["SnsCallerArn"].endswith(
        ":role/service-role/myuserspool-SMS-Role")
    assert up["Policies"]["PasswordPolicy"] == DEFAULT_POLICY
    assert required(up) == ["email"]
    (c,) = clients_of(server, up["Id"])
    assert c["ClientName"] == client
    assert c.get("ClientSecret")
    user = "seed004-user-%s" % tag()
    user_signs_in(server, node, chromium, name, up["Id"], c["ClientId"],
              username=user, email="%s@example.com" % user,
              domain="seed004-%s" % tag(), need_domain=True,
              need_settings=True, shots="console_seed_004_user")


def test_refused_domain_leaves_nothing(server, node, chromium, idp):  # noqa
    """The new wizard with a taken Cognito domain: the API's message
    beside the field, what was typed kept, no pool left behind."""
    taken = "taken-%s" % tag()
    other = idp.create_user_pool(PoolName="holder-%s" % tag())["UserPool"]
    idp.create_user_pool_domain(UserPoolId=other["Id"], Domain=taken)
    name = "refused-%s" % tag()
    steps = walk(server, node, chromium, "refused_domain",
                 shots_dir("console_refused_domain"), pool=name,
                 client="refused-app", domain=taken)
    err = steps["refused"]
    assert err["message"] == ("Domain already associated with another "
                              "user pool.")
    assert err["name"] == name and err["domain"] == taken
    pools = server.aws("list-user-pools", "--max-results", "60")[
        "UserPools"]
    assert name not in [p["Name"] for p in pools]
    idp.delete_user_pool_domain(UserPoolId=other["Id"], Domain=taken)
    idp.delete_user_pool(UserPoolId=other["Id"])


def test_bad_pool_name_shown_beside_the_field(server, node,  # noqa: F811
                                              chromium):
    """An empty pool name: CreateUserPool's own message next to Pool name
    on the Name step, nothing created."""
    before = server.aws("list-user-pools", "--max-results", "60")[
        "UserPools"]
    steps = walk(server, node, chromium, "bad_name",
                 shots_dir("console_bad_name"), pool="bad/name")
    err = steps["refused"]
    assert "poolName" in err["message"], err
    assert err["name"] == "bad/name"
    after = server.aws("list-user-pools", "--max-results", "60")[
        "UserPools"]
    assert len(after) == len(before)
