"""The classic wizard's Step through settings over plain HTTP (the
console's forms posted as a browser without JavaScript posts them,
console_client.py): every step's choices end in the pool that Create
pool makes, as DescribeUserPool shows it; Back keeps what was chosen; a
refused app client leaves no pool behind. The seed replays in Chromium
are test_console_seeds.py."""
import html
import re
import uuid

HOOK = "https://hooks.example.com/pre-sign-up"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"


def step(console, page, step, go, **fields):
    """Post the shown step's fields with the page's state; the next
    page."""
    form = {"state": page.fields("state")[0], "step": step, "go": go}
    form.update(fields)
    return console.post("/console/create", form)


def rows(page):
    """The review table as {label: text}."""
    out = {}
    for th, td in re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>',
                             page.text):
        out[html.unescape(th)] = html.unescape(re.sub(r"<[^>]*>", "", td))
    return out


def pool_names(idp):
    return [p["Name"] for p in idp.list_user_pools(MaxResults=60)[
        "UserPools"]]


def test_step_through_settings(server, console, idp):
    name = "stepped-%s" % uuid.uuid4().hex[:8]
    p = console.get("/console/create")
    assert p.status == 200 and 'Pool name' in p.text
    p = step(console, p, "name", "attributes", name=name)
    assert "Also allow sign in with verified email address" in p.text
    p = step(console, p, "attributes", "policies", signin="username",
             alias=["email", "preferred_username"], case="1",
             required=["email", "name"])
    p = step(console, p, "policies", "mfa", minlen="10", numbers="1",
             upper="1", lower="1", signup="admin", days="3")
    # Back to Policies: what was chosen is shown again.
    back = step(console, p, "mfa", "policies", mfa="OFF", verify="email")
    assert 'value="10"' in back.text and 'value="3"' in back.text
    assert re.search(r'id="signup-admin"[^>]*checked', back.text)
    assert not re.search(r'id="symbols"[^>]*checked', back.text)
    p = step(console, back, "policies", "messages", minlen="10",
             numbers="1", upper="1", lower="1", signup="admin", days="3")
    p = step(console, p, "messages", "tags", email_subject="Your code",
             email_message="Your code is {####}", sms_message="",
             invite_subject="Welcome",
             invite_email="User {username}, password {####}",
             invite_sms="")
    p = step(console, p, "tags", "devices", tag_key=["team", "env"],
             tag_value=["identity", "test"])
    p = step(console, p, "devices", "clients", devices="opt_in")
    assert "Add an app client" in p.text
    p = console.get("/console/create?step=client_new&state=%s"
                    % p.fields("state")[0])
    assert "App client name" in p.text
    p = step(console, p, "client_new", "clients", client_name="web",
             refresh="10", flows=["USER_PASSWORD_AUTH"])
    assert ">web <button" in p.text or "web" in p.text
    p = step(console, p, "clients", "triggers")
    # A Lambda ARN the configuration does not map: refused beside the
    # triggers, everything else kept; a webhook URL is taken.
    p = step(console, p, "triggers", "review", PreSignUp=ARN)
    refused = step(console, p, "review", "create")
    assert refused.status == 400
    m = re.search(r'id="triggers-error">([^<]*)<', refused.text)
    assert m and "PreSignUp" in m.group(1), refused.text
    assert name not in pool_names(idp)
    p = step(console, refused, "triggers", "review", PreSignUp=HOOK)
    r = rows(p)
    assert r["Pool name"] == name
    assert r["Required attributes"] == "email, name"
    assert r["Alias attributes"] == "email, preferred_username"
    assert r["Minimum password length"] == "10"
    assert r["Password policy"] == ("uppercase letters, lowercase letters, "
                                    "numbers")
    assert r["User sign ups allowed?"] == ("Only administrators can create "
                                           "users")
    assert r["Tags"] == "team=identity, env=test"
    assert r["App clients"] == "web"
    assert r["Triggers"] == "PreSignUp"
    done = step(console, p, "review", "create")
    assert done.status == 303, re.findall(r'role="alert"[^>]*>([^<]*)<', done.text)
    pool_id = done.location.rsplit("/", 1)[1]
    up = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert up["Name"] == name
    assert up["AliasAttributes"] == ["email", "preferred_username"]
    assert up["UsernameConfiguration"] == {"CaseSensitive": True}
    assert sorted(a["Name"] for a in up["SchemaAttributes"]
                  if a.get("Required") and a["Name"] != "sub") == [
        "email", "name"]
    assert up["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 10, "RequireUppercase": True,
        "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": False, "TemporaryPasswordValidityDays": 3}
    assert up["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert up["AdminCreateUserConfig"]["InviteMessageTemplate"][
        "EmailSubject"] == "Welcome"
    assert up["VerificationMessageTemplate"]["EmailSubject"] == "Your code"
    assert up["VerificationMessageTemplate"]["EmailMessage"] == (
        "Your code is {####}")
    assert up["UserPoolTags"] == {"team": "identity", "env": "test"}
    assert up["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": False,
        "DeviceOnlyRememberedOnUserPrompt": True}
    assert up["LambdaConfig"]["PreSignUp"] == HOOK
    assert up["MfaConfiguration"] == "OFF"
    (c,) = idp.list_user_pool_clients(UserPoolId=pool_id)[
        "UserPoolClients"]
    c = idp.describe_user_pool_client(UserPoolId=pool_id,
                                      ClientId=c["ClientId"])[
        "UserPoolClient"]
    assert c["ClientName"] == "web" and "ClientSecret" not in c
    assert c["RefreshTokenValidity"] == 10
    assert c["ExplicitAuthFlows"] == ["USER_PASSWORD_AUTH"]
    page = console.get("/console/pools/%s" % pool_id)
    assert 'data-field="pool-id">%s<' % pool_id in page.text
    assert sorted(rows(page)["Tags"].split(", ")) == ["env=test",
                                                      "team=identity"]
    idp.delete_user_pool(UserPoolId=pool_id)


def test_refused_app_client_leaves_no_pool(server, console, idp):
    """CreateUserPoolClient refuses the client's name after the pool was
    made: the pool is deleted again and App clients shows the API's
    message."""
    name = "half-%s" % uuid.uuid4().hex[:8]
    p = console.get("/console/create")
    p = step(console, p, "name", "review", name=name)
    p = console.get("/console/create?step=client_new&state=%s"
                    % p.fields("state")[0])
    p = step(console, p, "client_new", "review", client_name="bad/name")
    done = step(console, p, "review", "create")
    assert done.status == 400, done
    m = re.search(r'id="client-error">([^<]*)<', done.text)
    assert m and "clientName" in html.unescape(m.group(1)), done.text
    assert "Which app clients will have access" in done.text
    assert name not in pool_names(idp)


def test_review_defaults_needs_no_javascript(server, console, idp):
    """The Name step's two buttons: Review defaults shows the table of
    Cognito's defaults; a state that is not ours is ignored."""
    p = console.get("/console/create?step=review&state=not-base64!")
    assert p.status == 200
    assert rows(p)["Minimum password length"] == "8"
    p = console.get("/console/create")
    p = step(console, p, "name", "review", name="x")
    r = rows(p)
    assert r["Pool name"] == "x"
    assert r["MFA"] == "Enable MFA..."
    assert r["Verifications"] == "Email"
