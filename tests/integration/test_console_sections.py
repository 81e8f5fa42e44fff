"""The admin console's pool sections (ui/console_sections.c): Attributes,
Policies, MFA and verifications, Message customizations, Tags, Devices
and Triggers under /console/pools/<id>/<section>.

Each test signs in to the console as a person would (the sign-in form,
the admin account and the generated password file), opens a section
from the pool page's navigation, fills its form by the fields' labels
and submits it; then the AWS CLI describes the pool, which must have
changed exactly as clicked and in nothing else (UpdateUserPool's
replacement semantics must not reset what the section does not show).
A refused value shows the API's own message next to its field, with
what was typed kept, and leaves the pool as it was.
"""

import http.cookiejar
import html.parser
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from test_npm_clients import node  # noqa: F401 (a fixture)

LAMBDA = "https://hooks.example.com/trigger/%s"


# --- a browser without JavaScript: forms found by their labels --------

def _text(s):
    return re.sub(r"\s+", " ", s).strip()


class _Page(html.parser.HTMLParser):
    """The forms of a page: their controls, labels and buttons, the
    links, and the text of the elements with an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.links = []
        self.labels = {}        # id -> label text
        self.by_id = {}         # id -> text of the element
        self._form = None
        self._label = None
        self._select = None
        self._textarea = None
        self._button = None
        self._link = None
        self._open = []         # [id, text] of elements with an id

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self._open.append([a["id"], tag, ""])
        f = self._form
        if tag == "form":
            self._form = {"action": a.get("action"),
                          "method": a.get("method", "get"),
                          "controls": [], "buttons": []}
            self.forms.append(self._form)
        elif tag == "label":
            self._label = [a.get("for"), ""]
        elif tag == "a":
            self._link = [a.get("href"), ""]
        elif f is None:
            return
        elif tag == "input":
            f["controls"].append(dict(a, tag="input"))
        elif tag == "select":
            self._select = dict(a, tag="select", options=[])
            f["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a)
        elif tag == "textarea":
            self._textarea = dict(a, tag="textarea", value="")
            f["controls"].append(self._textarea)
        elif tag == "button":
            self._button = [a, ""]

    def handle_endtag(self, tag):
        if self._open and self._open[-1][1] == tag:
            i, _, t = self._open.pop()
            self.by_id[i] = _text(t)
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label:
            if self._label[0]:
                self.labels[self._label[0]] = _text(self._label[1])
            self._label = None
        elif tag == "a" and self._link:
            self.links.append((self._link[0], _text(self._link[1])))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button" and self._button and self._form:
            self._form["buttons"].append((self._button[0],
                                          _text(self._button[1])))
            self._button = None

    def handle_data(self, data):
        for o in self._open:
            o[2] += data
        if self._label:
            self._label[1] += data
        if self._link:
            self._link[1] += data
        if self._textarea is not None:
            self._textarea["value"] += data
        if self._button:
            self._button[1] += data


class Page:
    def __init__(self, status, url, body):
        self.status = status
        self.url = url
        self.html = body
        self.p = _Page()
        self.p.feed(body)

    def link(self, name):
        for href, text in self.p.links:
            if text == name:
                return href
        raise AssertionError("no link %r in %s" % (name, self.url))

    def form(self, button):
        for f in self.p.forms:
            if any(t == button for _, t in f["buttons"]):
                return Form(self, f)
        raise AssertionError("no form with a button %r in %s:\n%s"
                             % (button, self.url, self.html))

    def text_of(self, element_id):
        return self.p.by_id.get(element_id)


class Form:
    def __init__(self, page, f):
        self.page = page
        self.f = f

    def control(self, label):
        ids = [i for i, t in self.page.p.labels.items() if t == label]
        for c in self.f["controls"]:
            if c.get("id") in ids:
                return c
        raise AssertionError("no field labelled %r in the form" % label)

    def value(self, label):
        c = self.control(label)
        if c["tag"] == "select":
            for o in c["options"]:
                if "selected" in o:
                    return o.get("value")
            return c["options"][0].get("value")
        if c.get("type") in ("checkbox", "radio"):
            return "checked" in c
        return c.get("value", "")

    def fill(self, label, value):
        c = self.control(label)
        if c["tag"] == "select":
            assert any(o.get("value") == value for o in c["options"])
            for o in c["options"]:
                o.pop("selected", None)
                if o.get("value") == value:
                    o["selected"] = ""
        else:
            c["value"] = value
        return self

    def check(self, label, on=True):
        c = self.control(label)
        if c.get("type") == "radio":
            for o in self.f["controls"]:
                if o.get("name") == c.get("name"):
                    o.pop("checked", None)
        if on:
            c["checked"] = ""
        else:
            c.pop("checked", None)
        return self

    def fields(self):
        out = []
        for c in self.f["controls"]:
            name = c.get("name")
            if not name:
                continue
            if c["tag"] == "select":
                out.append((name, self.value_of_select(c)))
            elif c.get("type") in ("checkbox", "radio"):
                if "checked" in c:
                    out.append((name, c.get("value", "on")))
            else:
                out.append((name, c.get("value", "")))
        return out

    @staticmethod
    def value_of_select(c):
        for o in c["options"]:
            if "selected" in o:
                return o.get("value")
        return c["options"][0].get("value")


class Console:
    """A signed-in console session: a cookie jar over HTTPS."""

    def __init__(self, server):
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=server.ssl_context()),
            urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, req):
        try:
            r = self.opener.open(req, timeout=30)
            return Page(r.status, r.url, r.read().decode())
        except urllib.error.HTTPError as e:
            return Page(e.code, e.url, e.read().decode())

    def get(self, path):
        return self._open(urllib.parse.urljoin(self.server.https, path))

    def submit(self, form, button):
        url = urllib.parse.urljoin(form.page.url, form.f["action"])
        data = urllib.parse.urlencode(form.fields()).encode()
        return self._open(urllib.request.Request(url, data=data))

    def sign_in(self):
        path = os.path.join(self.server.state_dir, "console-password")
        with open(path) as f:
            password = f.read().strip()
        form = self.get("/console/").form("Sign in")
        form.fill("Username", "admin").fill("Password", password)
        page = self.submit(form, "Sign in")
        assert page.status == 200, page.html
        return page

    def section(self, pool_id, name):
        """The pool page, then the section's link in its navigation."""
        pool = self.get("/console/pools/%s" % pool_id)
        if pool.status == 200:
            href = pool.link(name)
        else:   # the pool page is console-wizard's; the nav is the same
            href = {"Attributes": "attributes", "Policies": "policies",
                    "MFA and verifications": "mfa",
                    "Message customizations": "messages", "Tags": "tags",
                    "Devices": "devices", "Triggers": "triggers"}[name]
            href = "/console/pools/%s/%s" % (pool_id, href)
        page = self.get(href)
        assert page.status == 200, page.html
        return page


@pytest.fixture(scope="module")
def ui(server):
    c = Console(server)
    c.sign_in()
    return c


@pytest.fixture
def rich_pool(make_pool):
    """A pool set away from the defaults in every section, so that a
    save of one section resetting another would show."""
    return make_pool(
        Policies={"PasswordPolicy": {
            "MinimumLength": 10, "RequireUppercase": True,
            "RequireLowercase": False, "RequireNumbers": True,
            "RequireSymbols": False, "TemporaryPasswordValidityDays": 5}},
        AutoVerifiedAttributes=["email"],
        VerificationMessageTemplate={
            "EmailSubject": "Your code", "EmailMessage": "Code {####}.",
            "SmsMessage": "SMS code {####}"},
        AdminCreateUserConfig={
            "AllowAdminCreateUserOnly": False,
            "InviteMessageTemplate": {
                "EmailSubject": "Welcome",
                "EmailMessage": "Hi {username}, use {####}."}},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                             "DeviceOnlyRememberedOnUserPrompt": True},
        LambdaConfig={"PostConfirmation": LAMBDA % "post"},
        UserPoolTags={"team": "blue", "env": "test"},
        Schema=[{"Name": "plan", "AttributeDataType": "String",
                 "Mutable": True}])


def describe(server, pool_id):
    p = server.aws("describe-user-pool", "--user-pool-id",
                   pool_id)["UserPool"]
    p.pop("LastModifiedDate", None)
    return p


def describe_raw(server, pool_id):
    """DescribeUserPool as the API sends it: the installed CLI's model
    lacks members newer than it (PreTokenGenerationConfig), which it
    drops."""
    r = server.api("DescribeUserPool", {"UserPoolId": pool_id})
    assert r.status == 200, r.body
    p = r.json()["UserPool"]
    p.pop("LastModifiedDate", None)
    return p


def mfa_config(server, pool_id):
    return server.aws("get-user-pool-mfa-config", "--user-pool-id", pool_id)


def changed_only(before, after, members):
    """The pool is as before except the members named (whose new values
    the caller checks)."""
    a = {k: v for k, v in after.items() if k not in members}
    b = {k: v for k, v in before.items() if k not in members}
    assert a == b


def refused(page, field_id, typed, message_part):
    """A refused save: 400, the API's message next to the field (the
    element its aria-describedby names), the typed value kept."""
    assert page.status == 400, page.html
    err = page.text_of("%s-error" % field_id)
    assert err is not None and message_part in err, page.html
    assert re.search(r'aria-describedby="[^"]*\b%s-error\b'
                     % re.escape(field_id), page.html), page.html
    if typed is not None:
        assert typed in page.html


# --- Policies ---------------------------------------------------------

def test_policies_edit(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    page = ui.section(pid, "Policies")
    form = page.form("Save changes")
    assert form.value("Minimum length") == "10"
    assert form.value("Require numbers") is True
    assert form.value("Require lowercase letters") is False
    assert form.value("Allow users to sign themselves up") is True
    assert form.value("Days to expire") == "5"
    form.fill("Minimum length", "14").check("Require numbers", False)
    form.check("Require special character")
    form.check("Only allow administrators to create users")
    form.fill("Days to expire", "3")
    page = ui.submit(form, "Save changes")
    assert page.status == 200 and "Your changes have been saved." in \
        page.html
    after = describe(server, pid)
    assert after["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 14, "RequireUppercase": True,
        "RequireLowercase": False, "RequireNumbers": False,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 3}
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    assert after["AdminCreateUserConfig"]["InviteMessageTemplate"] == \
        before["AdminCreateUserConfig"]["InviteMessageTemplate"]
    before["Policies"]["PasswordPolicy"] = after["Policies"][
        "PasswordPolicy"]
    before["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] = True
    assert after == before
    # The page shows what was saved.
    form = ui.section(pid, "Policies").form("Save changes")
    assert form.value("Minimum length") == "14"
    assert form.value("Only allow administrators to create users") is True


def test_policies_minimum_length_5_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Policies").form("Save changes")
    form.fill("Minimum length", "5").fill("Days to expire", "4")
    page = ui.submit(form, "Save changes")
    refused(page, "min_length", None, "1 validation error detected: "
            "Value '5' at 'policies.passwordPolicy.minimumLength' failed "
            "to satisfy constraint: Member must have value greater than "
            "or equal to 6")
    form = page.form("Save changes")
    assert form.value("Minimum length") == "5"
    assert form.value("Days to expire") == "4"
    assert describe(server, pid) == before


# --- MFA and verifications --------------------------------------------

def test_mfa_optional_totp_and_verifications(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "MFA and verifications").form(
        "Save changes")
    assert form.value("Off") is True
    assert form.value("Email") is True
    form.check("Optional").check("Time-based One-time Password")
    form.check("Email or phone number")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    m = mfa_config(server, pid)
    assert m["MfaConfiguration"] == "OPTIONAL"
    assert m["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "SmsMfaConfiguration" not in m
    after = describe(server, pid)
    assert after["MfaConfiguration"] == "OPTIONAL"
    assert sorted(after["AutoVerifiedAttributes"]) == [
        "email", "phone_number"]
    changed_only(before, after, {"MfaConfiguration",
                                 "AutoVerifiedAttributes"})
    form = page.form("Save changes")
    assert form.value("Optional") is True
    assert form.value("Time-based One-time Password") is True
    assert form.value("Email or phone number") is True

    # Back to Off: no factor left, verifications by phone only.
    form.check("Off").check("Phone number")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    m = mfa_config(server, pid)
    assert m["MfaConfiguration"] == "OFF"
    assert "SoftwareTokenMfaConfiguration" not in m
    after = describe(server, pid)
    assert after["AutoVerifiedAttributes"] == ["phone_number"]
    changed_only(before, after, {"AutoVerifiedAttributes"})


def test_mfa_required_without_a_factor_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before, mfa_before = describe(server, pid), mfa_config(server, pid)
    form = ui.section(pid, "MFA and verifications").form(
        "Save changes")
    form.check("Required").check("No verification")
    page = ui.submit(form, "Save changes")
    refused(page, "mfa", None, "Invalid MFA configuration given, can't "
            "disable all MFAs with a required or optional configuration.")
    form = page.form("Save changes")
    assert form.value("Required") is True
    assert form.value("No verification") is True
    assert describe(server, pid) == before
    assert mfa_config(server, pid) == mfa_before


def test_mfa_bad_sms_role_changes_nothing(server, ui, rich_pool):
    """SMS MFA with a role that is no ARN: SetUserPoolMfaConfig refuses
    it, the message next to the role, nothing set."""
    pid = rich_pool["Id"]
    before, mfa_before = describe(server, pid), mfa_config(server, pid)
    form = ui.section(pid, "MFA and verifications").form(
        "Save changes")
    form.check("Optional").check("SMS text message")
    form.fill("SMS role ARN", "not-a-role")
    page = ui.submit(form, "Save changes")
    refused(page, "sms_role", "not-a-role", "snsCallerArn")
    assert describe(server, pid) == before
    assert mfa_config(server, pid) == mfa_before


def test_mfa_sms_with_role(server, ui, rich_pool):
    """SMS text message MFA with its role: the factor carries the pool's
    SMS configuration, which DescribeUserPool shows too."""
    pid = rich_pool["Id"]
    role = "arn:aws:iam::123456789012:role/cognito-sms"
    before = describe(server, pid)
    form = ui.section(pid, "MFA and verifications").form("Save changes")
    form.check("Required").check("SMS text message")
    form.fill("SMS role ARN", role)
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    m = mfa_config(server, pid)
    assert m["MfaConfiguration"] == "ON"
    assert m["SmsMfaConfiguration"]["SmsConfiguration"][
        "SnsCallerArn"] == role
    assert "SoftwareTokenMfaConfiguration" not in m
    after = describe(server, pid)
    assert after["MfaConfiguration"] == "ON"
    assert after["SmsConfiguration"] == {"SnsCallerArn": role}
    changed_only(before, after, {"MfaConfiguration", "SmsConfiguration"})
    form = page.form("Save changes")
    assert form.value("SMS text message") is True
    assert form.value("SMS role ARN") == role


def test_mfa_factors_set_back_when_the_pool_refuses(server, ui, rich_pool):
    """TOTP chosen (SetUserPoolMfaConfig takes it) with a role that is
    no ARN and SMS not chosen (only UpdateUserPool sees the role, and
    refuses it): the factors are set back as they were."""
    pid = rich_pool["Id"]
    before, mfa_before = describe(server, pid), mfa_config(server, pid)
    form = ui.section(pid, "MFA and verifications").form("Save changes")
    form.check("Optional").check("Time-based One-time Password")
    form.fill("SMS role ARN", "bad-role")
    page = ui.submit(form, "Save changes")
    refused(page, "sms_role", "bad-role", "smsConfiguration.snsCallerArn")
    assert page.form("Save changes").value("Optional") is True
    assert describe(server, pid) == before
    assert mfa_config(server, pid) == mfa_before


# --- Message customizations -------------------------------------------

def test_messages_edit(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Message customizations").form(
        "Save changes")
    assert form.value("Email subject") == "Your code"
    assert form.value("Code") is True
    form.fill("Email subject", "Verify your address")
    form.fill("Email message", "Your verification code is {####}.")
    form.fill("SMS message", "Code: {####}")
    form.fill("Invitation email subject", "You are invited")
    form.fill("Invitation email message",
              "User {username}, temporary password {####}.")
    form.fill("Invitation SMS message", "{username} / {####}")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    after = describe(server, pid)
    vmt = after["VerificationMessageTemplate"]
    assert vmt["EmailSubject"] == "Verify your address"
    assert vmt["EmailMessage"] == "Your verification code is {####}."
    assert vmt["SmsMessage"] == "Code: {####}"
    assert vmt["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert after["EmailVerificationSubject"] == "Verify your address"
    assert after["EmailVerificationMessage"] == vmt["EmailMessage"]
    assert after["SmsVerificationMessage"] == "Code: {####}"
    assert after["AdminCreateUserConfig"]["InviteMessageTemplate"] == {
        "EmailSubject": "You are invited",
        "EmailMessage": "User {username}, temporary password {####}.",
        "SMSMessage": "{username} / {####}"}
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is \
        False
    changed_only(before, after, {
        "VerificationMessageTemplate", "EmailVerificationSubject",
        "EmailVerificationMessage", "SmsVerificationMessage",
        "AdminCreateUserConfig"})


def test_messages_without_code_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Message customizations").form(
        "Save changes")
    form.fill("Email subject", "Changed subject")
    form.fill("Email message", "No code in here")
    page = ui.submit(form, "Save changes")
    refused(page, "email_message", "No code in here",
            "'verificationMessageTemplate.emailMessage'")
    form = page.form("Save changes")
    assert form.value("Email subject") == "Changed subject"
    assert describe(server, pid) == before


def test_invitation_without_username_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Message customizations").form(
        "Save changes")
    form.fill("Invitation email message", "Password {####} only")
    page = ui.submit(form, "Save changes")
    refused(page, "invite_email", "Password {####} only",
            "InviteMessageTemplate.EmailMessage must contain the "
            "placeholders {username} and {####}.")
    assert describe(server, pid) == before


# --- Tags ---------------------------------------------------------------

def tags_of(server, pool):
    return server.aws("list-tags-for-resource", "--resource-arn",
                      pool["Arn"]).get("Tags", {})


def tag_row(form, key):
    """The row number whose key field holds key."""
    for c in form.f["controls"]:
        if c.get("name") == "tag_key" and c.get("value") == key:
            return c["id"].split("-")[1]
    raise AssertionError("no tag row %r" % key)


def test_tags_add_change_remove(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Tags").form("Save changes")
    team, env = tag_row(form, "team"), tag_row(form, "env")
    assert form.value("Tag %s value" % team) == "blue"
    empty = [c["id"].split("-")[1] for c in form.f["controls"]
             if c.get("name") == "tag_key" and not c.get("value")]
    assert len(empty) >= 2
    form.fill("Tag %s value" % team, "green")
    form.check("Remove tag %s" % env)
    form.fill("Tag %s key" % empty[0], "owner")
    form.fill("Tag %s value" % empty[0], "ops")
    form.fill("Tag %s key" % empty[1], "cost-center")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    assert tags_of(server, rich_pool) == {
        "team": "green", "owner": "ops", "cost-center": ""}
    after = describe(server, pid)
    changed_only(before, after, {"UserPoolTags"})
    form = page.form("Save changes")
    assert form.value("Tag %s value" % tag_row(form, "owner")) == "ops"


def test_tag_key_too_long_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Tags").form("Save changes")
    form.check("Remove tag %s" % tag_row(form, "env"))
    empty = [c["id"].split("-")[1] for c in form.f["controls"]
             if c.get("name") == "tag_key" and not c.get("value")]
    long_key = "k" * 129
    form.fill("Tag %s key" % empty[0], long_key)
    form.fill("Tag %s value" % empty[0], "v")
    page = ui.submit(form, "Save changes")
    assert page.status == 400, page.html
    err = page.text_of("tags-error")
    assert err and "Member must have length less than or equal to 128" \
        in err, page.html
    assert long_key in page.html
    form = page.form("Save changes")
    assert form.value("Remove tag %s" % tag_row(form, "env")) is True
    assert describe(server, pid) == before


# --- Devices ------------------------------------------------------------

def test_devices(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Devices").form("Save changes")
    assert form.value("User Opt In") is True
    label = "Use a remembered device to suppress the second factor " \
        "during MFA"
    assert form.value(label) is True
    form.check("Always").check(label, False)
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    after = describe(server, pid)
    assert after["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": False,
        "DeviceOnlyRememberedOnUserPrompt": False}
    changed_only(before, after, {"DeviceConfiguration"})

    form = page.form("Save changes")
    assert form.value("Always") is True
    form.check("No")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    after = describe(server, pid)
    assert "DeviceConfiguration" not in after
    changed_only(before, after, {"DeviceConfiguration"})
    assert page.form("Save changes").value("No") is True


# --- Triggers -----------------------------------------------------------

def test_triggers(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Triggers").form("Save changes")
    assert form.value("Post confirmation") == LAMBDA % "post"
    assert form.value("Pre sign-up") == ""
    form.fill("Pre sign-up", LAMBDA % "pre")
    form.fill("Post confirmation", "")
    form.fill("Pre Token Generation", LAMBDA % "tokens")
    form.fill("Pre Token Generation version", "V2_0")
    form.fill("Custom email sender", LAMBDA % "mailer")
    form.fill("Inbound federation", LAMBDA % "federation")
    page = ui.submit(form, "Save changes")
    assert page.status == 200, page.html
    assert describe_raw(server, pid)["LambdaConfig"] == {
        "PreSignUp": LAMBDA % "pre",
        "PreTokenGeneration": LAMBDA % "tokens",
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
                                     "LambdaArn": LAMBDA % "tokens"},
        "CustomEmailSender": {"LambdaVersion": "V1_0",
                              "LambdaArn": LAMBDA % "mailer"},
        "InboundFederation": {"LambdaVersion": "V1_0",
                              "LambdaArn": LAMBDA % "federation"}}
    after = describe(server, pid)
    assert after["LambdaConfig"]["PreSignUp"] == LAMBDA % "pre"
    changed_only(before, after, {"LambdaConfig"})
    form = page.form("Save changes")
    assert form.value("Pre Token Generation version") == "V2_0"
    assert form.value("Custom email sender") == LAMBDA % "mailer"


def test_trigger_bad_value_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Triggers").form("Save changes")
    form.fill("Pre authentication", "not a url")
    form.fill("Pre sign-up", LAMBDA % "pre")
    page = ui.submit(form, "Save changes")
    refused(page, "PreAuthentication", "not a url",
            "lambdaConfig.preAuthentication")
    assert page.form("Save changes").value("Pre sign-up") == LAMBDA % "pre"
    assert describe(server, pid) == before
    # A Lambda ARN the configuration file does not map to a URL.
    arn = "arn:aws:lambda:us-east-1:123456789012:function:unmapped"
    form = page.form("Save changes")
    form.fill("Pre authentication", "").fill("User Migration", arn)
    page = ui.submit(form, "Save changes")
    refused(page, "UserMigration", arn, "LambdaConfig.UserMigration: the "
            "Lambda ARN %s is not mapped to a webhook URL" % arn)
    assert describe(server, pid) == before


# --- Attributes ---------------------------------------------------------

def test_attributes_add_custom(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    page = ui.section(pid, "Attributes")
    # Standard attributes are shown, not editable: no field names them.
    assert re.search(r"<td>email</td><td>String</td>", page.html)
    assert "<td>custom:plan</td>" in page.html
    form = page.form("Add custom attribute")
    names = {c.get("name") for c in form.f["controls"]}
    assert not names & {"email", "name", "phone_number"}
    assert form.value("Mutable") is True
    form.fill("Attribute name", "tier").fill("Min length", "1")
    form.fill("Max length", "12")
    page = ui.submit(form, "Add custom attribute")
    assert page.status == 200, page.html
    assert "<td>custom:tier</td>" in page.html
    after = describe(server, pid)
    added = [a for a in after["SchemaAttributes"]
             if a["Name"] == "custom:tier"]
    assert added == [{
        "Name": "custom:tier", "AttributeDataType": "String",
        "DeveloperOnlyAttribute": False, "Mutable": True,
        "Required": False,
        "StringAttributeConstraints": {"MinLength": "1",
                                       "MaxLength": "12"}}]
    after["SchemaAttributes"].remove(added[0])
    assert after == before

    form = page.form("Add custom attribute")
    form.fill("Attribute name", "score").fill("Type", "Number")
    form.fill("Min value", "0").fill("Max value", "100")
    form.check("Mutable", False)
    page = ui.submit(form, "Add custom attribute")
    assert page.status == 200, page.html
    score = [a for a in describe(server, pid)["SchemaAttributes"]
             if a["Name"] == "custom:score"]
    assert score[0]["AttributeDataType"] == "Number"
    assert score[0]["Mutable"] is False
    assert score[0]["NumberAttributeConstraints"] == {
        "MinValue": "0", "MaxValue": "100"}


def test_attribute_taken_name_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Attributes").form("Add custom attribute")
    form.fill("Attribute name", "plan").fill("Max length", "30")
    page = ui.submit(form, "Add custom attribute")
    refused(page, "attr_name", None,
            "Existing attribute already has name custom:plan.")
    form = page.form("Add custom attribute")
    assert form.value("Attribute name") == "plan"
    assert form.value("Max length") == "30"
    assert describe(server, pid) == before


def test_attribute_bad_bound_refused(server, ui, rich_pool):
    pid = rich_pool["Id"]
    before = describe(server, pid)
    form = ui.section(pid, "Attributes").form("Add custom attribute")
    form.fill("Attribute name", "code").fill("Max length", "5000")
    page = ui.submit(form, "Add custom attribute")
    refused(page, "max_length", "5000", "MaxLength")
    assert describe(server, pid) == before


# --- Access -------------------------------------------------------------

def test_sections_need_the_console_session(server, rich_pool):
    """Without the console's sign-in a section neither shows nor saves."""
    anon = Console(server)
    pid = rich_pool["Id"]
    before = describe(server, pid)
    for section in ("attributes", "policies", "mfa", "messages", "tags",
                    "devices", "triggers"):
        page = anon.get("/console/pools/%s/%s" % (pid, section))
        assert "Sign in" in page.html and pid not in page.html
    r = server.request("POST", "/console/pools/%s/policies" % pid,
                       body=b"min_length=20",
                       headers={"Content-Type":
                                "application/x-www-form-urlencoded"})
    assert r.status in (302, 303, 401, 403)
    assert describe(server, pid) == before


def test_unknown_pool(ui):
    page = ui.get("/console/pools/us-east-1_%s/policies"
                       % uuid.uuid4().hex[:9])
    assert page.status == 404


# --- Accessibility ------------------------------------------------------

SECTIONS = ("attributes", "policies", "mfa", "messages", "tags", "devices",
            "triggers")


# --- In Chromium ---------------------------------------------------------

def test_sections_in_chromium(server, node, make_pool, idp):  # noqa: F811
    """Every section clicked through in Chromium by labels, links and
    buttons (tests/clients/console_sections.js, screenshots of each
    step); the AWS CLI then describes exactly what was clicked."""
    from test_browser import shots_dir
    from test_npm_clients import App
    app = App(server, make_pool, idp)
    pid = app.pool_id
    before = describe(server, pid)
    r = app.run(node, "console_sections.js", "sections", timeout=600,
                base=server.https, stateDir=server.state_dir, poolId=pid,
                shots=shots_dir("console_sections_chromium"),
                **{"lambda": LAMBDA % "pre"})
    for step in ("policies", "mfa", "messages", "tags", "devices",
                 "triggers"):
        assert r.value(step) == "Your changes have been saved."
    assert r.value("attributes") == "The custom attribute has been added."
    bad = r.value("policiesRefused")
    assert bad["value"] == "5" and bad["invalid"] == "true"
    assert bad["alertId"] in bad["describedBy"].split()
    assert "Member must have value greater than or equal to 6" in \
        bad["alert"]

    after = describe(server, pid)
    assert after["Policies"]["PasswordPolicy"] == dict(
        before["Policies"]["PasswordPolicy"], MinimumLength=12,
        RequireSymbols=False, TemporaryPasswordValidityDays=3)
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    assert after["MfaConfiguration"] == "OPTIONAL"
    assert mfa_config(server, pid)["SoftwareTokenMfaConfiguration"] == {
        "Enabled": True}
    assert sorted(after["AutoVerifiedAttributes"]) == ["email",
                                                       "phone_number"]
    assert after["VerificationMessageTemplate"]["EmailSubject"] == \
        "Your code"
    assert after["EmailVerificationMessage"] == "The code is {####}."
    assert tags_of(server, after) == {"team": "blue"}
    assert after["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": False,
        "DeviceOnlyRememberedOnUserPrompt": True}
    assert after["LambdaConfig"] == {"PreSignUp": LAMBDA % "pre"}
    tier = [a for a in after["SchemaAttributes"]
            if a["Name"] == "custom:tier"]
    assert tier and tier[0]["AttributeDataType"] == "Number"
    assert tier[0]["NumberAttributeConstraints"] == {"MaxValue": "9"}
