"""The console's Users and groups section (src/ui/console_users.c).

A signed-in console session (plain HTTPS with a cookie jar) fills the
forms a person would: Create user, the user list's search and paging,
the user page's actions, Create group and the group page; and headless
Chromium (tests/clients/console_users.js) goes through Create user, the
user's page and Add to group by roles and accessible names, with
screenshots in build/screenshots/console_users. After each action the
AWS CLI (`server.aws`) describes the pool, so the test sees what an API
client sees, not what the page claims.
"""

import html
import html.parser
import re
import time
import urllib.parse

import pytest

from conftest import TEMP, make_client
from test_browser import shots_dir
from test_devices import User as DeviceUser
from test_npm_clients import App, node  # noqa: F401 (a fixture)

STRONG = "Temp-passw0rd!"


class Form(html.parser.HTMLParser):
    """The page's labels (text -> for), inputs by id, error paragraphs
    by id, buttons' texts and links (text -> href)."""

    def __init__(self, text):
        super().__init__()
        self.labels, self.inputs, self.errors = {}, {}, {}
        self.buttons, self.links = [], {}
        self._label = self._p = self._a = self._button = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._label = [a.get("for"), ""]
        elif tag in ("input", "select"):
            if a.get("id"):
                self.inputs[a["id"]] = a
        elif tag == "p" and "error" in (a.get("class") or ""):
            self._p = [a.get("id"), ""]
        elif tag == "a":
            self._a = [a.get("href"), ""]
        elif tag == "button":
            self._button = ""

    def handle_endtag(self, tag):
        if tag == "label" and self._label:
            self.labels[self._label[1].strip()] = self._label[0]
            self._label = None
        elif tag == "p" and self._p:
            self.errors[self._p[0]] = self._p[1].strip()
            self._p = None
        elif tag == "a" and self._a:
            self.links[self._a[1].strip()] = self._a[0]
            self._a = None
        elif tag == "button" and self._button is not None:
            self.buttons.append(self._button.strip())
            self._button = None

    def handle_data(self, data):
        for cur in (self._label, self._p, self._a):
            if cur is not None:
                cur[1] += data
        if self._button is not None:
            self._button += data


class Console:
    """conftest's signed-in console session, answering (status, text)
    after following the 303 of a form (Post/Redirect/Get)."""

    def __init__(self, session):
        self.session = session

    def get(self, path):
        page = self.session.get(path, follow=True)
        return page.status, page.text

    def post(self, path, fields, csrf=True):
        page = self.session.post(path, fields, csrf=csrf, follow=True)
        return page.status, page.text


@pytest.fixture
def cu(console):
    return Console(console)


def users_path(pool_id, rest=""):
    return "/console/pools/%s/%s" % (pool_id, rest)


def text_of(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def list_names(page):
    """(username, status) of each row of a user list page."""
    rows = re.findall(r'data-field="username">([^<]*)</a></td>\s*'
                      r'<td data-field="status">([^<]*)</td>', page)
    return [(html.unescape(u), s) for u, s in rows]


def create_user(console, pool_id, **fields):
    form = {"username": "", "temporary_password": "", "phone_number": "",
            "email": ""}
    form.update(fields)
    return console.post(users_path(pool_id, "users/create"), form)


def get_user(server, pool_id, name):
    return server.aws("admin-get-user", "--user-pool-id", pool_id,
                      "--username", name)


def attrs(user):
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


# --- Create user ------------------------------------------------------

def test_create_user_form_has_the_console_labels(cu, pool):
    status, page = cu.get(users_path(pool["Id"], "users"))
    assert status == 200
    f = Form(page)
    assert "Create user" in f.buttons and "Create group" in f.buttons
    status, page = cu.get(users_path(pool["Id"], "users/create"))
    assert status == 200
    f = Form(page)
    for label in ("Username", "Temporary password", "Phone Number",
                  "Email", "Send an invitation to this new user?",
                  "Mark phone number as verified?",
                  "Mark email as verified?"):
        assert label in f.labels, (label, f.labels)
        assert f.labels[label] in f.inputs
    assert "Create user" in f.buttons
    # Cognito's defaults: invite, phone marked verified, email not.
    assert "checked" in f.inputs[f.labels[
        "Send an invitation to this new user?"]]
    assert "checked" in f.inputs[f.labels["Mark phone number as verified?"]]
    assert "checked" not in f.inputs[f.labels["Mark email as verified?"]]


def test_create_user_with_invitation(server, cu, pool):
    email = "alice-%d@example.com" % time.time_ns()
    status, page = create_user(cu, pool["Id"], username="alice",
                               temporary_password=STRONG, email=email,
                               send_invitation="1")
    assert status == 200, page
    # Back to the list, the new user in it with its status.
    assert "User created." in page
    assert ("alice", "FORCE_CHANGE_PASSWORD") in list_names(page)
    status, page = cu.get(html.unescape(Form(page).links["Open user alice"]))
    assert 'data-field="status">FORCE_CHANGE_PASSWORD<' in page
    user = get_user(server, pool["Id"], "alice")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attrs(user)["email"] == email
    assert "email_verified" not in attrs(user)
    msg = server.wait_message(email)
    assert "alice" in msg["body"] and STRONG in msg["body"]


def test_create_user_marked_verified_without_invitation(server, cu,
                                                        pool):
    email = "bob-%d@example.com" % time.time_ns()
    status, page = create_user(cu, pool["Id"], username="bob",
                               temporary_password=STRONG, email=email,
                               phone_number="+15555550123",
                               phone_verified="1", email_verified="1")
    assert status == 200 and "User created." in page, page
    a = attrs(get_user(server, pool["Id"], "bob"))
    assert a["email_verified"] == "true"
    assert a["phone_number_verified"] == "true"
    assert a["phone_number"] == "+15555550123"
    time.sleep(1)
    assert server.messages(email) == []


def test_weak_temporary_password_is_shown_and_nothing_made(server, cu,
                                                          pool):
    _, expected = server.aws_error(
        "admin-create-user", "--user-pool-id", pool["Id"], "--username",
        "weakling", "--temporary-password", "password1")
    status, page = create_user(cu, pool["Id"], username="weakling",
                               temporary_password="password1",
                               email="weak@example.com", send_invitation="1")
    assert status == 200
    f = Form(page)
    assert f.errors.get("temporary_password-error") == expected, f.errors
    assert f.inputs["temporary_password"]["aria-invalid"] == "true"
    # What was typed is kept.
    assert f.inputs["username"]["value"] == "weakling"
    assert f.inputs["email"]["value"] == "weak@example.com"
    assert f.inputs["temporary_password"]["value"] == "password1"
    assert "checked" in f.inputs["send_invitation"]
    assert server.aws("list-users", "--user-pool-id", pool["Id"])[
        "Users"] == []
    assert server.messages("weak@example.com") == []


def test_taken_username_is_shown_beside_the_username(server, cu, pool):
    create_user(cu, pool["Id"], username="carol",
                temporary_password=STRONG)
    status, page = create_user(cu, pool["Id"], username="carol",
                               temporary_password=STRONG)
    f = Form(page)
    assert f.errors.get("username-error") == "User account already exists"
    assert f.inputs["username"]["value"] == "carol"


# --- The list: filter and paging ------------------------------------

@pytest.fixture
def crowd(server, pool):
    """63 users: ali0..ali2 and user00..user59, with emails."""
    idp = server.boto3()
    names = ["ali%d" % i for i in range(3)] + \
        ["user%02d" % i for i in range(60)]
    for n in names:
        idp.admin_create_user(
            UserPoolId=pool["Id"], Username=n, MessageAction="SUPPRESS",
            TemporaryPassword=TEMP, UserAttributes=[
                {"Name": "email", "Value": "%s@corp.example" % n}])
    return names


def test_filter_by_typed_filter_and_by_picker(cu, pool, crowd):
    base = users_path(pool["Id"], "users")
    status, page = cu.get(base + "?" + urllib.parse.urlencode(
        {"filter": 'username ^= "ali"'}))
    assert status == 200
    assert [n for n, _ in list_names(page)] == ["ali0", "ali1", "ali2"]
    assert all(s == "FORCE_CHANGE_PASSWORD" for _, s in list_names(page))
    # The typed filter stays in its field.
    assert Form(page).inputs["filter"]["value"] == 'username ^= "ali"'
    status, page = cu.get(base + "?" + urllib.parse.urlencode(
        {"attribute": "email", "match": "=", "value": "user07@corp.example"}))
    assert [n for n, _ in list_names(page)] == ["user07"]
    f = Form(page)
    assert "selected" in f.inputs["attribute"] or \
        'value="email" selected' in page
    status, page = cu.get(base + "?" + urllib.parse.urlencode(
        {"attribute": "username", "value": "user1"}))
    assert [n for n, _ in list_names(page)] == \
        ["user1%d" % i for i in range(10)]


def test_bad_filter_shows_the_api_message(server, cu, pool, crowd):
    _, expected = server.aws_error("list-users", "--user-pool-id",
                                   pool["Id"], "--filter", 'shoe_size = "9"')
    status, page = cu.get(users_path(pool["Id"], "users") + "?" +
                               urllib.parse.urlencode(
                                   {"filter": 'shoe_size = "9"'}))
    assert status == 200
    f = Form(page)
    assert f.errors.get("filter-error") == expected
    assert f.inputs["filter"]["value"] == 'shoe_size = "9"'


def test_paging(cu, pool, crowd):
    status, page = cu.get(users_path(pool["Id"], "users"))
    first = [n for n, _ in list_names(page)]
    assert len(first) == 50
    f = Form(page)
    assert "Next page" in f.links
    status, page = cu.get(html.unescape(f.links["Next page"]))
    second = [n for n, _ in list_names(page)]
    assert len(second) == 13
    assert sorted(first + second) == sorted(crowd)
    assert "Next page" not in Form(page).links
    assert "First page" in Form(page).links
    # Paging a filtered list keeps the filter.
    status, page = cu.get(users_path(pool["Id"], "users") + "?" +
                               urllib.parse.urlencode(
                                   {"filter": 'email ^= "user"'}))
    f = Form(page)
    assert len(list_names(page)) == 50
    status, page = cu.get(html.unescape(f.links["Next page"]))
    assert [n for n, _ in list_names(page)] == \
        ["user%02d" % i for i in range(50, 60)]


# --- A user's page ---------------------------------------------------

def user_action(console, pool_id, action, name, **fields):
    return console.post(users_path(pool_id, "user/" + action),
                        dict(fields, username=name))


def test_user_page_actions(server, cu, pool):
    pid = pool["Id"]
    idp = server.boto3()
    client = make_client(idp, pid)["ClientId"]
    idp.admin_create_user(UserPoolId=pid, Username="dave",
                          MessageAction="SUPPRESS", TemporaryPassword=TEMP,
                          UserAttributes=[
                              {"Name": "email", "Value": "dave@example.com"},
                              {"Name": "email_verified", "Value": "true"},
                              {"Name": "phone_number",
                               "Value": "+15555550100"}])
    idp.admin_set_user_password(UserPoolId=pid, Username="dave",
                                Password=STRONG, Permanent=True)
    status, page = cu.get(users_path(pid, "user?username=dave"))
    assert status == 200
    f = Form(page)
    for b in ("Disable user", "Reset password", "Sign out everywhere",
              "Delete user", "Add to group"):
        assert b in f.buttons, (b, f.buttons)
    assert 'data-attribute="email">dave@example.com<' in page

    status, page = user_action(cu, pid, "disable", "dave")
    assert "User disabled." in page and "Enable user" in Form(page).buttons
    assert get_user(server, pid, "dave")["Enabled"] is False
    status, page = user_action(cu, pid, "enable", "dave")
    assert "User enabled." in page and "Disable user" in Form(page).buttons
    assert get_user(server, pid, "dave")["Enabled"] is True

    # Sign out everywhere: the refresh token of a sign-in stops working.
    tokens = server.aws(
        "admin-initiate-auth", "--user-pool-id", pid, "--client-id", client,
        "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters",
        "USERNAME=dave,PASSWORD=%s" % STRONG)["AuthenticationResult"]
    status, page = user_action(cu, pid, "sign_out", "dave")
    assert "User signed out everywhere." in page
    name, _ = server.aws_error(
        "admin-initiate-auth", "--user-pool-id", pid, "--client-id", client,
        "--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters",
        "REFRESH_TOKEN=%s" % tokens["RefreshToken"])
    assert name == "NotAuthorizedException"

    # Attributes: set one, delete it.
    status, page = user_action(cu, pid, "attribute", "dave",
                               attribute_name="given_name",
                               attribute_value="David")
    assert "Attribute saved." in page
    assert attrs(get_user(server, pid, "dave"))["given_name"] == "David"
    status, page = user_action(cu, pid, "delete_attribute", "dave",
                               attribute_name="given_name")
    assert "given_name" not in attrs(get_user(server, pid, "dave"))
    # A refused attribute: the API's message on the page.
    status, page = user_action(cu, pid, "attribute", "dave",
                               attribute_name="shoe_size",
                               attribute_value="9")
    assert status == 200
    assert Form(page).errors.get("attribute-error")

    # MFA: SMS on and preferred.
    status, page = user_action(cu, pid, "mfa", "dave", sms_mfa="1",
                               preferred="SMS_MFA")
    assert "MFA settings saved." in page, page
    user = get_user(server, pid, "dave")
    assert user.get("UserMFASettingList") == ["SMS_MFA"]
    assert user.get("PreferredMfaSetting") == "SMS_MFA"
    assert 'data-field="preferred-mfa">SMS_MFA<' in page
    status, page = user_action(cu, pid, "mfa", "dave", preferred="")
    assert not get_user(server, pid, "dave").get("UserMFASettingList")

    # Reset password: RESET_REQUIRED.
    status, page = user_action(cu, pid, "reset_password", "dave")
    assert "Password reset" in page
    assert get_user(server, pid, "dave")["UserStatus"] == "RESET_REQUIRED"
    assert 'data-field="status">RESET_REQUIRED<' in page

    # Delete user: back to the list, the user gone.
    status, page = user_action(cu, pid, "delete", "dave")
    assert "User deleted." in page and "<h1>Users and groups</h1>" in page
    name, _ = server.aws_error("admin-get-user", "--user-pool-id", pid,
                               "--username", "dave")
    assert name == "UserNotFoundException"
    status, page = cu.get(users_path(pid, "user?username=dave"))
    assert status == 404


def test_add_and_remove_group_from_user_page(server, cu, pool):
    pid = pool["Id"]
    server.aws("create-group", "--user-pool-id", pid, "--group-name",
               "admins")
    server.aws("admin-create-user", "--user-pool-id", pid, "--username",
               "erin", "--message-action", "SUPPRESS")
    status, page = cu.get(users_path(pid, "user?username=erin"))
    assert '<option value="admins">admins</option>' in page
    status, page = user_action(cu, pid, "add_to_group", "erin",
                               group="admins")
    assert "Added to group." in page
    groups = server.aws("admin-list-groups-for-user", "--user-pool-id", pid,
                        "--username", "erin")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]
    assert "group?group=admins" in page
    status, page = user_action(cu, pid, "remove_from_group", "erin",
                               group="admins")
    assert "Removed from group." in page
    assert server.aws("admin-list-groups-for-user", "--user-pool-id", pid,
                      "--username", "erin")["Groups"] == []
    # A group that does not exist: the API's message, nothing changed.
    _, expected = server.aws_error(
        "admin-add-user-to-group", "--user-pool-id", pid, "--username",
        "erin", "--group-name", "nobody")
    status, page = user_action(cu, pid, "add_to_group", "erin",
                               group="nobody")
    assert Form(page).errors.get("group-error") == expected


def test_devices_listed_and_forgotten(server, cu, idp, make_pool):
    up = make_pool(DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": False,
        "DeviceOnlyRememberedOnUserPrompt": False})
    pid = up["Id"]
    user = DeviceUser(idp, pid, make_client(idp, pid)["ClientId"], "hank")
    key, _, _ = user.new_device("Pixel 9")
    status, page = cu.get(users_path(pid, "user?username=hank"))
    assert 'data-field="device-key">%s<' % key in page
    assert "Pixel 9" in page
    status, page = user_action(cu, pid, "forget_device", "hank",
                               device_key=key)
    assert "Device forgotten." in page
    assert server.aws("admin-list-devices", "--user-pool-id", pid,
                      "--username", "hank")["Devices"] == []
    assert key not in page


def test_username_with_a_slash_and_an_ampersand(server, cu, pool):
    pid = pool["Id"]
    name = "a/b&c"
    status, page = create_user(cu, pid, username=name,
                               temporary_password=STRONG)
    assert "User created." in page, page
    status, page = cu.get(users_path(pid, "users"))
    f = Form(page)
    assert f.links[name].endswith("user?username=a%2Fb%26c")
    status, page = cu.get(html.unescape(f.links[name]))
    assert status == 200 and 'data-field="username">a/b&amp;c<' in page
    user_action(cu, pid, "disable", name)
    assert get_user(server, pid, name)["Enabled"] is False


# --- Groups ----------------------------------------------------------

def test_groups(server, cu, pool):
    pid = pool["Id"]
    status, page = cu.get(users_path(pid, "groups/create"))
    f = Form(page)
    for label in ("Name", "Description", "Precedence"):
        assert label in f.labels
    status, page = cu.post(users_path(pid, "groups/create"), {
        "group_name": "editors", "description": "They edit",
        "precedence": "5", "role_arn": ""})
    assert "Group created." in page, page
    g = server.aws("get-group", "--user-pool-id", pid, "--group-name",
                   "editors")["Group"]
    assert g["Precedence"] == 5 and g["Description"] == "They edit"
    # The same name again: the API's message beside the name.
    _, expected = server.aws_error("create-group", "--user-pool-id", pid,
                                   "--group-name", "editors")
    status, page = cu.post(users_path(pid, "groups/create"), {
        "group_name": "editors", "description": "again",
        "precedence": "7"})
    f = Form(page)
    assert f.errors.get("group_name-error") == expected, f.errors
    assert f.inputs["description"]["value"] == "again"
    # A bad precedence: refused, nothing created.
    status, page = cu.post(users_path(pid, "groups/create"), {
        "group_name": "negative", "precedence": "-1"})
    assert Form(page).errors.get("precedence-error"), page
    assert [g["GroupName"] for g in server.aws(
        "list-groups", "--user-pool-id", pid)["Groups"]] == ["editors"]

    # Members: add from the group page, listed, removed.
    server.aws("admin-create-user", "--user-pool-id", pid, "--username",
               "frank", "--message-action", "SUPPRESS")
    status, page = cu.post(users_path(pid, "group/add"), {
        "group": "editors", "member": "frank"})
    assert "User added." in page
    assert 'data-field="member">frank<' in page
    assert [u["Username"] for u in server.aws(
        "list-users-in-group", "--user-pool-id", pid, "--group-name",
        "editors")["Users"]] == ["frank"]
    status, page = cu.get(users_path(pid, "groups"))
    assert 'data-field="group-name">editors<' in page
    assert 'data-field="precedence">5<' in page
    status, page = cu.post(users_path(pid, "group/update"), {
        "group": "editors", "description": "They edit a lot",
        "precedence": "3", "role_arn": ""})
    assert "Group saved." in page
    g = server.aws("get-group", "--user-pool-id", pid, "--group-name",
                   "editors")["Group"]
    assert g["Precedence"] == 3 and g["Description"] == "They edit a lot"
    status, page = cu.post(users_path(pid, "group/remove"), {
        "group": "editors", "member": "frank"})
    assert "User removed from the group." in page
    assert server.aws("list-users-in-group", "--user-pool-id", pid,
                      "--group-name", "editors")["Users"] == []
    status, page = cu.post(users_path(pid, "group/delete"), {
        "group": "editors"})
    assert "Group deleted." in page
    assert server.aws("list-groups", "--user-pool-id", pid)["Groups"] == []


def test_actions_need_the_csrf_token(server, cu, pool):
    server.aws("admin-create-user", "--user-pool-id", pool["Id"],
               "--username", "gina", "--message-action", "SUPPRESS")
    status, _ = cu.post(users_path(pool["Id"], "user/disable"),
                             {"username": "gina"}, csrf="forged")
    assert status == 403
    assert get_user(server, pool["Id"], "gina")["Enabled"] is True


# --- In Chromium -------------------------------------------------------

def test_users_in_chromium(server, node, make_pool, idp):  # noqa: F811
    app = App(server, make_pool, idp)
    pid = app.pool_id
    _, expected = server.aws_error(
        "admin-create-user", "--user-pool-id", pid, "--username", "ivy",
        "--temporary-password", "password1")
    r = app.run(node, "console_users.js", "users", timeout=600,
                base=server.https, stateDir=server.state_dir,
                username="ivy", email="ivy@example.com", weak="password1",
                strong=STRONG, group="testers",
                shots=shots_dir("console_users"))
    assert r.value("section") is True
    weak = r.value("weak")
    assert weak == {"message": expected, "username": "ivy",
                    "email": "ivy@example.com"}
    assert r.value("created") == "FORCE_CHANGE_PASSWORD"
    assert r.value("disabled") == 1
    assert r.value("grouped") is True
    user = get_user(server, pid, "ivy")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is False
    assert attrs(user)["email"] == "ivy@example.com"
    # Invited by email (the checkbox's default), with the password.
    assert STRONG in server.wait_message("ivy@example.com")["body"]
    g = server.aws("get-group", "--user-pool-id", pid, "--group-name",
                   "testers")["Group"]
    assert g["Precedence"] == 2
    assert [x["GroupName"] for x in server.aws(
        "admin-list-groups-for-user", "--user-pool-id", pid, "--username",
        "ivy")["Groups"]] == ["testers"]
