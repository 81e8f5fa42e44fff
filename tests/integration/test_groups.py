"""Groups of a pool and their members, driven with the AWS CLI (each
operation and each CLI-visible behaviour at least once) and boto3 (set-up,
repeated checks, and paging seen page by page): create, read, partial
update and delete of groups, paging in name order, the validation
rules, and membership both ways (AdminAddUserToGroup,
AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup),
with users named by username or sign-in alias, and what deleting a
user or a group does to the memberships."""
import time
import uuid

import pytest

from conftest import error_of

ROLE = "arn:aws:iam::123456789012:role/readers"
ROLE2 = "arn:aws:iam::123456789012:role/writers"
NOSUCH = "us-east-1_nosuch"
GROUP_FIELDS = {"GroupName", "UserPoolId", "Description", "RoleArn",
                "Precedence", "LastModifiedDate", "CreationDate"}


def create_group(server, pool_id, name, *args):
    return server.aws("create-group", "--user-pool-id", pool_id,
                      "--group-name", name, *args)["Group"]


def get_group(server, pool_id, name):
    return server.aws("get-group", "--user-pool-id", pool_id,
                      "--group-name", name)["Group"]


def new_group(server, pool_id, name, **kw):
    """CreateGroup through boto3, for set-up."""
    return server.boto3().create_group(UserPoolId=pool_id, GroupName=name,
                                       **kw)["Group"]


def group_of(server, pool_id, name):
    """GetGroup through boto3, for repeated checks."""
    return server.boto3().get_group(UserPoolId=pool_id,
                                    GroupName=name)["Group"]


def boto_error(call, **kw):
    """(Code, Message) of a boto3 call that must fail."""
    with pytest.raises(Exception) as excinfo:
        call(**kw)
    return error_of(excinfo)


def group_names(groups):
    return [g["GroupName"] for g in groups]


def create_user(server, pool_id, username, *attrs):
    """AdminCreateUser through boto3 without a message (set-up); attrs
    as Name=..,Value=.."""
    ua = [dict(kv.split("=", 1) for kv in a.split(",", 1)) for a in attrs]
    return server.boto3().admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        TemporaryPassword="Passw0rd!", UserAttributes=ua)["User"]


def add(server, pool_id, username, group):
    """AdminAddUserToGroup through boto3 (set-up)."""
    server.boto3().admin_add_user_to_group(UserPoolId=pool_id,
                                           Username=username,
                                           GroupName=group)


def cli_add(server, pool_id, username, group):
    server.aws("admin-add-user-to-group", "--user-pool-id", pool_id,
               "--username", username, "--group-name", group)


def groups_of(server, pool_id, username):
    """AdminListGroupsForUser through boto3 (repeated checks)."""
    return group_names(server.boto3().admin_list_groups_for_user(
        UserPoolId=pool_id, Username=username)["Groups"])


def cli_groups_of(server, pool_id, username):
    return group_names(server.aws(
        "admin-list-groups-for-user", "--user-pool-id", pool_id,
        "--username", username)["Groups"])


def members(server, pool_id, group):
    """ListUsersInGroup through boto3 (repeated checks)."""
    return [u["Username"] for u in server.boto3().list_users_in_group(
        UserPoolId=pool_id, GroupName=group)["Users"]]


def cli_members(server, pool_id, group):
    return [u["Username"] for u in server.aws(
        "list-users-in-group", "--user-pool-id", pool_id,
        "--group-name", group)["Users"]]


def new_pool(server, prefix, **kw):
    return server.boto3().create_user_pool(
        PoolName="%s-%s" % (prefix, uuid.uuid4().hex[:8]),
        **kw)["UserPool"]


def delete_pool(server, pool_id):
    server.boto3().delete_user_pool(UserPoolId=pool_id)


@pytest.fixture
def other_pool(server):
    up = new_pool(server, "other")
    yield up
    delete_pool(server, up["Id"])


# --- groups -------------------------------------------------------------

def test_create_get_update_delete(server, pool):
    before = time.time()
    g = create_group(server, pool["Id"], "readers", "--description",
                     "People who read", "--role-arn", ROLE,
                     "--precedence", "5")
    assert set(g) == GROUP_FIELDS
    assert g["GroupName"] == "readers"
    assert g["UserPoolId"] == pool["Id"]
    assert g["Description"] == "People who read"
    assert g["RoleArn"] == ROLE
    assert g["Precedence"] == 5
    # The CLI renders the epoch numbers as ISO dates.
    assert g["CreationDate"] == g["LastModifiedDate"]
    assert get_group(server, pool["Id"], "readers") == g
    raw = server.api("GetGroup", {"UserPoolId": pool["Id"],
                                  "GroupName": "readers"}).json()["Group"]
    assert isinstance(raw["CreationDate"], (int, float))
    assert before - 5 <= raw["CreationDate"] <= time.time() + 5

    # Only the members given change.
    u = server.aws("update-group", "--user-pool-id", pool["Id"],
                   "--group-name", "readers", "--description",
                   "Readers only")["Group"]
    assert u["Description"] == "Readers only"
    assert (u["RoleArn"], u["Precedence"]) == (ROLE, 5)
    assert u["CreationDate"] == g["CreationDate"]
    raw2 = server.api("GetGroup", {"UserPoolId": pool["Id"],
                                   "GroupName": "readers"}).json()["Group"]
    assert raw2["LastModifiedDate"] >= raw["LastModifiedDate"]
    u = server.aws("update-group", "--user-pool-id", pool["Id"],
                   "--group-name", "readers", "--precedence", "0",
                   "--role-arn", ROLE2)["Group"]
    assert (u["Description"], u["RoleArn"], u["Precedence"]) == \
        ("Readers only", ROLE2, 0)
    assert get_group(server, pool["Id"], "readers") == u

    server.aws("delete-group", "--user-pool-id", pool["Id"],
               "--group-name", "readers")
    assert server.aws_error("get-group", "--user-pool-id", pool["Id"],
                            "--group-name", "readers") == \
        ("ResourceNotFoundException", "Group not found.")
    assert server.aws("list-groups", "--user-pool-id",
                      pool["Id"])["Groups"] == []


def test_group_with_a_name_only(server, pool):
    g = new_group(server, pool["Id"], "plain")
    assert set(g) == {"GroupName", "UserPoolId", "LastModifiedDate",
                      "CreationDate"}
    # An update that names nothing keeps the group as it was.
    u = server.aws("update-group", "--user-pool-id", pool["Id"],
                   "--group-name", "plain")["Group"]
    assert set(u) == set(g)


def test_names_are_exact_and_may_hold_any_printable_text(server, pool):
    for name in ("Admins", "admins", "équipe-日本", "a+b=c,d.e@f/g:h"):
        create_group(server, pool["Id"], name)
        assert group_of(server, pool["Id"], name)["GroupName"] == name
    assert sorted(group_names(server.boto3().list_groups(
        UserPoolId=pool["Id"])["Groups"])) == \
        sorted(["Admins", "admins", "équipe-日本", "a+b=c,d.e@f/g:h"])


def test_duplicate_group(server, pool):
    new_group(server, pool["Id"], "dup", Precedence=1)
    assert server.aws_error("create-group", "--user-pool-id", pool["Id"],
                            "--group-name", "dup") == \
        ("GroupExistsException", "A group with the name already exists.")
    cognito = server.boto3()
    with pytest.raises(cognito.exceptions.GroupExistsException):
        cognito.create_group(UserPoolId=pool["Id"], GroupName="dup")
    assert group_of(server, pool["Id"], "dup")["Precedence"] == 1


def test_unknown_group(server, pool):
    want = ("ResourceNotFoundException", "Group not found.")
    assert server.aws_error("get-group", "--user-pool-id", pool["Id"],
                            "--group-name", "nosuch") == want
    cognito = server.boto3()
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_group(UserPoolId=pool["Id"], GroupName="nosuch")
    for call in (cognito.update_group, cognito.delete_group):
        assert boto_error(call, UserPoolId=pool["Id"],
                          GroupName="nosuch") == want, call


def test_unknown_pool(server):
    want = ("ResourceNotFoundException",
            "User pool %s does not exist." % NOSUCH)
    assert server.aws_error("create-group", "--user-pool-id", NOSUCH,
                            "--group-name", "g") == want
    c = server.boto3()
    for call, kw in ((c.get_group, {"GroupName": "g"}),
                     (c.update_group, {"GroupName": "g"}),
                     (c.delete_group, {"GroupName": "g"}),
                     (c.list_groups, {}),
                     (c.list_users_in_group, {"GroupName": "g"}),
                     (c.admin_add_user_to_group, {"Username": "u",
                                                  "GroupName": "g"}),
                     (c.admin_list_groups_for_user, {"Username": "u"})):
        assert boto_error(call, UserPoolId=NOSUCH, **kw) == want, call


def test_bad_precedence(server, pool):
    # The CLI refuses a negative number itself; the wire answer is ours.
    for op in ("CreateGroup", "UpdateGroup"):
        r = server.api(op, {"UserPoolId": pool["Id"], "GroupName": "g",
                            "Precedence": -1})
        assert r.status == 400, r
        body = r.json()
        assert body["__type"] == "InvalidParameterException"
        assert "precedence" in body["message"]
        assert "greater than or equal to 0" in body["message"]
    r = server.api("CreateGroup", {"UserPoolId": pool["Id"],
                                   "GroupName": "g", "Precedence": "high"})
    assert r.status == 400 and "Exception" in r.json()["__type"]
    name, _ = boto_error(server.boto3().get_group, UserPoolId=pool["Id"],
                         GroupName="g")
    assert name == "ResourceNotFoundException"


def test_long_description(server, pool):
    name, msg = server.aws_error("create-group", "--user-pool-id",
                                 pool["Id"], "--group-name", "g",
                                 "--description", "d" * 2049)
    assert name == "InvalidParameterException"
    assert "description" in msg and "2048" in msg
    g = new_group(server, pool["Id"], "g", Description="d" * 2048)
    assert g["Description"] == "d" * 2048
    name, _ = server.aws_error("update-group", "--user-pool-id", pool["Id"],
                               "--group-name", "g", "--description",
                               "e" * 2049)
    assert name == "InvalidParameterException"
    assert group_of(server, pool["Id"], "g")["Description"] == "d" * 2048


def test_bad_names_and_role_arns(server, pool):
    name, msg = server.aws_error("create-group", "--user-pool-id",
                                 pool["Id"], "--group-name", "two words")
    assert name == "InvalidParameterException"
    assert "groupName" in msg, msg
    for bad in ("tab\there", "x" * 129):
        name, msg = boto_error(server.boto3().create_group,
                               UserPoolId=pool["Id"], GroupName=bad)
        assert name == "InvalidParameterException", bad
        assert "groupName" in msg, msg
    name, msg = server.aws_error("create-group", "--user-pool-id",
                                 pool["Id"], "--group-name", "g",
                                 "--role-arn", "not an arn at all, no")
    assert name == "InvalidParameterException"
    assert "roleArn" in msg
    new_group(server, pool["Id"], "x" * 128)
    assert server.boto3().list_groups(UserPoolId=pool["Id"]
                                      )["Groups"][0]["GroupName"] == "x" * 128


def test_list_pages_in_name_order(server, pool):
    cognito = server.boto3()
    names = ["group-%02d" % i for i in range(25)]
    for n in reversed(names):
        cognito.create_group(UserPoolId=pool["Id"], GroupName=n,
                             Precedence=int(n[-2:]))
    seen, pages, token = [], 0, None
    while True:
        kw = {"UserPoolId": pool["Id"], "Limit": 10}
        if token:
            kw["NextToken"] = token
        r = cognito.list_groups(**kw)
        pages += 1
        assert len(r["Groups"]) <= 10
        seen += r["Groups"]
        token = r.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert group_names(seen) == names
    assert [g["Precedence"] for g in seen] == list(range(25))
    assert all(g["UserPoolId"] == pool["Id"] for g in seen)
    # Without a Limit one page holds them all.
    r = cognito.list_groups(UserPoolId=pool["Id"])
    assert group_names(r["Groups"]) == names and "NextToken" not in r
    r = cognito.list_groups(UserPoolId=pool["Id"], Limit=0)
    assert group_names(r["Groups"]) == names and "NextToken" not in r
    # The CLI follows the tokens with --page-size; with --limit it makes
    # one call and hands the token back.
    out = server.aws("list-groups", "--user-pool-id", pool["Id"],
                     "--page-size", "7")
    assert group_names(out["Groups"]) == names
    out = server.aws("list-groups", "--user-pool-id", pool["Id"],
                     "--limit", "5")
    assert group_names(out["Groups"]) == names[:5]
    out = server.aws("list-groups", "--user-pool-id", pool["Id"],
                     "--limit", "5", "--next-token", out["NextToken"])
    assert group_names(out["Groups"]) == names[5:10]
    # A page boundary survives a deletion before it.
    r = cognito.list_groups(UserPoolId=pool["Id"], Limit=12)
    cognito.delete_group(UserPoolId=pool["Id"], GroupName="group-03")
    r = cognito.list_groups(UserPoolId=pool["Id"], Limit=12,
                            NextToken=r["NextToken"])
    assert group_names(r["Groups"]) == names[12:24]


def test_list_refuses_bad_tokens_and_limits(server, pool):
    cognito = server.boto3()
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_groups(UserPoolId=pool["Id"], NextToken="garbage")
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_users_in_group(UserPoolId=pool["Id"], GroupName="g",
                                    NextToken="garbage")
    name, msg = server.aws_error("list-groups", "--user-pool-id",
                                 pool["Id"], "--limit", "61")
    assert name == "InvalidParameterException" and "limit" in msg
    r = server.api("ListGroups", {"UserPoolId": pool["Id"], "Limit": -1})
    assert r.status == 400
    assert r.json()["__type"] == "InvalidParameterException"


def test_groups_of_one_pool_are_invisible_from_another(server, pool,
                                                       other_pool):
    c = server.boto3()
    new_group(server, pool["Id"], "staff", Description="mine")
    assert c.list_groups(UserPoolId=other_pool["Id"])["Groups"] == []
    assert boto_error(c.get_group, UserPoolId=other_pool["Id"],
                      GroupName="staff") == \
        ("ResourceNotFoundException", "Group not found.")
    assert boto_error(c.delete_group, UserPoolId=other_pool["Id"],
                      GroupName="staff")[0] == "ResourceNotFoundException"
    # The same name is free in the other pool, and independent.
    g = new_group(server, other_pool["Id"], "staff", Description="theirs")
    assert g["UserPoolId"] == other_pool["Id"]
    assert group_of(server, pool["Id"], "staff")["Description"] == "mine"
    c.delete_group(UserPoolId=other_pool["Id"], GroupName="staff")
    assert group_of(server, pool["Id"], "staff")["Description"] == "mine"


def test_deleting_a_pool_deletes_its_groups(server):
    up = new_pool(server, "gone")
    new_group(server, up["Id"], "g1")
    delete_pool(server, up["Id"])
    assert boto_error(server.boto3().list_groups, UserPoolId=up["Id"])[0] \
        == "ResourceNotFoundException"


# --- membership ---------------------------------------------------------

def test_add_list_and_remove_members(server, pool):
    create_user(server, pool["Id"], "alice", "Name=email,Value=a@x.test")
    create_user(server, pool["Id"], "bob")
    for g in ("writers", "readers", "admins"):
        new_group(server, pool["Id"], g)
    cli_add(server, pool["Id"], "alice", "readers")
    add(server, pool["Id"], "alice", "writers")
    add(server, pool["Id"], "bob", "readers")
    # Adding a member again is no error and changes nothing.
    cli_add(server, pool["Id"], "alice", "readers")

    assert cli_groups_of(server, pool["Id"], "alice") == \
        ["readers", "writers"]
    assert groups_of(server, pool["Id"], "bob") == ["readers"]
    out = server.aws("admin-list-groups-for-user", "--user-pool-id",
                     pool["Id"], "--username", "bob")["Groups"]
    assert out == [get_group(server, pool["Id"], "readers")]
    assert cli_members(server, pool["Id"], "readers") == ["alice", "bob"]
    assert members(server, pool["Id"], "admins") == []
    users = server.aws("list-users-in-group", "--user-pool-id", pool["Id"],
                       "--group-name", "writers")["Users"]
    assert len(users) == 1
    u = users[0]
    assert u["Username"] == "alice"
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert u["Enabled"] is True
    attrs = {a["Name"]: a["Value"] for a in u["Attributes"]}
    assert attrs["email"] == "a@x.test" and attrs["sub"]
    assert "UserCreateDate" in u and "UserLastModifiedDate" in u

    server.aws("admin-remove-user-from-group", "--user-pool-id",
               pool["Id"], "--username", "alice", "--group-name", "readers")
    assert groups_of(server, pool["Id"], "alice") == ["writers"]
    assert members(server, pool["Id"], "readers") == ["bob"]
    # Removing a user who is not a member is no error either.
    server.aws("admin-remove-user-from-group", "--user-pool-id",
               pool["Id"], "--username", "alice", "--group-name", "readers")
    server.boto3().admin_remove_user_from_group(
        UserPoolId=pool["Id"], Username="bob", GroupName="admins")
    assert members(server, pool["Id"], "readers") == ["bob"]


def test_membership_errors(server, pool):
    create_user(server, pool["Id"], "carol")
    new_group(server, pool["Id"], "g")
    no_user = ("UserNotFoundException", "User does not exist.")
    no_group = ("ResourceNotFoundException", "Group not found.")
    c = server.boto3()
    assert server.aws_error("admin-add-user-to-group", "--user-pool-id",
                            pool["Id"], "--username", "nobody",
                            "--group-name", "g") == no_user
    assert boto_error(c.admin_add_user_to_group, UserPoolId=pool["Id"],
                      Username="carol", GroupName="nosuch") == no_group
    assert boto_error(c.admin_remove_user_from_group,
                      UserPoolId=pool["Id"], Username="nobody",
                      GroupName="g") == no_user
    assert server.aws_error("admin-remove-user-from-group",
                            "--user-pool-id", pool["Id"], "--username",
                            "carol", "--group-name", "nosuch") == no_group
    assert server.aws_error("admin-list-groups-for-user", "--user-pool-id",
                            pool["Id"], "--username", "nobody") == no_user
    assert server.aws_error("list-users-in-group", "--user-pool-id",
                            pool["Id"], "--group-name", "nosuch") == no_group
    cognito = server.boto3()
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"],
                                        Username="nobody", GroupName="g")
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_list_groups_for_user(UserPoolId=pool["Id"],
                                           Username="carol",
                                           NextToken="garbage")
    assert members(server, pool["Id"], "g") == []


def test_membership_paging_both_ways(server, pool):
    cognito = server.boto3()
    groups = ["g%02d" % i for i in range(25)]
    users = ["user%02d" % i for i in range(12)]
    for g in groups:
        cognito.create_group(UserPoolId=pool["Id"], GroupName=g)
    for u in reversed(users):
        cognito.admin_create_user(UserPoolId=pool["Id"], Username=u,
                                  MessageAction="SUPPRESS",
                                  TemporaryPassword="Passw0rd!")
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username=u,
                                        GroupName="g00")
    for g in reversed(groups[1:]):
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"],
                                        Username="user00", GroupName=g)

    seen, pages, token = [], 0, None
    while True:
        kw = {"UserPoolId": pool["Id"], "Username": "user00", "Limit": 10}
        if token:
            kw["NextToken"] = token
        r = cognito.admin_list_groups_for_user(**kw)
        pages += 1
        seen += group_names(r["Groups"])
        token = r.get("NextToken")
        if not token:
            break
    assert (pages, seen) == (3, groups)

    seen, pages, token = [], 0, None
    while True:
        kw = {"UserPoolId": pool["Id"], "GroupName": "g00", "Limit": 5}
        if token:
            kw["NextToken"] = token
        r = cognito.list_users_in_group(**kw)
        pages += 1
        seen += [u["Username"] for u in r["Users"]]
        token = r.get("NextToken")
        if not token:
            break
    assert (pages, seen) == (3, users)

    # The CLI follows the tokens with --page-size.
    assert group_names(server.aws(
        "admin-list-groups-for-user", "--user-pool-id", pool["Id"],
        "--username", "user00", "--page-size", "4")["Groups"]) == groups
    assert [u["Username"] for u in server.aws(
        "list-users-in-group", "--user-pool-id", pool["Id"],
        "--group-name", "g00", "--page-size", "5")["Users"]] == users
    out = server.aws("list-users-in-group", "--user-pool-id", pool["Id"],
                     "--group-name", "g00", "--limit", "3")
    assert [u["Username"] for u in out["Users"]] == users[:3]
    assert out["NextToken"]


def test_user_named_by_alias(server):
    up = new_pool(server, "alias",
                  AliasAttributes=["email", "preferred_username"],
                  UsernameConfiguration={"CaseSensitive": False})
    pid = up["Id"]
    try:
        create_user(server, pid, "dave", "Name=email,Value=Dave@X.test",
                    "Name=email_verified,Value=true",
                    "Name=preferred_username,Value=captain")
        new_group(server, pid, "crew")
        new_group(server, pid, "officers")
        add(server, pid, "dave@x.test", "crew")
        add(server, pid, "captain", "officers")
        assert groups_of(server, pid, "dave") == ["crew", "officers"]
        assert groups_of(server, pid, "DAVE") == ["crew", "officers"]
        assert groups_of(server, pid, "Dave@X.test") == ["crew", "officers"]
        assert members(server, pid, "crew") == ["dave"]
        server.boto3().admin_remove_user_from_group(
            UserPoolId=pid, Username="CAPTAIN", GroupName="officers")
        assert members(server, pid, "officers") == []
    finally:
        delete_pool(server, pid)


def test_deleting_a_user_removes_its_memberships(server, pool):
    create_user(server, pool["Id"], "erin")
    create_user(server, pool["Id"], "frank")
    new_group(server, pool["Id"], "g")
    add(server, pool["Id"], "erin", "g")
    add(server, pool["Id"], "frank", "g")
    server.boto3().admin_delete_user(UserPoolId=pool["Id"], Username="erin")
    assert members(server, pool["Id"], "g") == ["frank"]
    # A new user of the same name starts in no group.
    create_user(server, pool["Id"], "erin")
    assert groups_of(server, pool["Id"], "erin") == []
    assert members(server, pool["Id"], "g") == ["frank"]


def test_deleting_a_group_removes_its_memberships(server, pool):
    create_user(server, pool["Id"], "gina")
    new_group(server, pool["Id"], "old")
    new_group(server, pool["Id"], "kept")
    add(server, pool["Id"], "gina", "old")
    add(server, pool["Id"], "gina", "kept")
    server.boto3().delete_group(UserPoolId=pool["Id"], GroupName="old")
    assert groups_of(server, pool["Id"], "gina") == ["kept"]
    new_group(server, pool["Id"], "old")
    assert members(server, pool["Id"], "old") == []


def test_membership_does_not_cross_pools(server, pool, other_pool):
    create_user(server, pool["Id"], "hank")
    new_group(server, pool["Id"], "g")
    new_group(server, other_pool["Id"], "g")
    add(server, pool["Id"], "hank", "g")
    assert boto_error(server.boto3().admin_add_user_to_group,
                      UserPoolId=other_pool["Id"], Username="hank",
                      GroupName="g") == \
        ("UserNotFoundException", "User does not exist.")
    assert members(server, other_pool["Id"], "g") == []
    assert members(server, pool["Id"], "g") == ["hank"]


def test_a_user_belongs_to_at_most_100_groups(server, pool):
    cognito = server.boto3()
    create_user(server, pool["Id"], "ivy")
    for i in range(101):
        cognito.create_group(UserPoolId=pool["Id"], GroupName="g%03d" % i)
    for i in range(100):
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"],
                                        Username="ivy",
                                        GroupName="g%03d" % i)
    with pytest.raises(cognito.exceptions.LimitExceededException):
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"],
                                        Username="ivy", GroupName="g100")
    # Adding again to a group it is in is still fine.
    cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username="ivy",
                                    GroupName="g000")
    r = cognito.admin_list_groups_for_user(UserPoolId=pool["Id"],
                                           Username="ivy")
    assert len(r["Groups"]) == 60 and r["NextToken"]
    r = cognito.admin_list_groups_for_user(UserPoolId=pool["Id"],
                                           Username="ivy",
                                           NextToken=r["NextToken"])
    assert len(r["Groups"]) == 40 and "NextToken" not in r
    assert r["Groups"][-1]["GroupName"] == "g099"


def test_user_of_an_email_username_pool(server):
    """With UsernameAttributes the username is the sub; the email and
    the sub both name the user."""
    up = new_pool(server, "email", UsernameAttributes=["email"])
    pid = up["Id"]
    try:
        u = create_user(server, pid, "jo@x.test",
                        "Name=email_verified,Value=true")
        new_group(server, pid, "g")
        add(server, pid, "Jo@X.test", "g")
        assert members(server, pid, "g") == [u["Username"]]
        assert groups_of(server, pid, u["Username"]) == ["g"]
        assert groups_of(server, pid, "jo@x.test") == ["g"]
    finally:
        delete_pool(server, pid)
