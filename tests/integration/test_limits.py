"""Abuse limits a public deployment needs, through real clients: the
lockout schedule under parallel wrong passwords (boto3 threads; the
password hashes counted from the daemon's debug log) and wrong TOTP
codes locking too, within one sign-in and across sign-ins."""
import concurrent.futures
import statistics
import time
import uuid

import botocore.exceptions
import pytest

from conftest import (PASSWORD, Server, error_of, make_client, make_user,
                      unique_email)
from test_mfa_signin import mfa_pool, respond, sign_in, totp, with_totp

WRONG = "Wrong-passw0rd"
BAD_PASSWORD = ("NotAuthorizedException", "Incorrect username or password.")
LOCKED = ("NotAuthorizedException", "Password attempts exceeded")
HASH_LINE = "password: hash check"


@pytest.fixture(scope="module")
def limited():
    """A daemon of its own, so the hash lines of its log are ours."""
    srv = Server()
    srv.start_or_clean()
    yield srv
    reports, _ = srv.shut_down()
    assert not reports, "sanitizer reports:\n" + reports


@pytest.fixture
def lpool(limited):
    idp = limited.boto3()
    up = idp.create_user_pool(PoolName="limits-%s" % uuid.uuid4().hex[:8])
    yield idp, up["UserPool"]["Id"]
    idp.delete_user_pool(UserPoolId=up["UserPool"]["Id"])


def hashes(server):
    return server.log_text().count(HASH_LINE)


def admin_auth(idp, pool_id, client_id, name, password=PASSWORD):
    return idp.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": password})


def auth_error(idp, pool_id, client_id, name, password=PASSWORD):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        admin_auth(idp, pool_id, client_id, name, password)
    return error_of(e)


def schedule_allows(seconds):
    """Failures the schedule lets through in a burst of that length:
    five, then one more each time the doubling lock runs out."""
    allowed, t, lock = 5, 0.0, 1.0
    while t + lock <= seconds:
        t, lock, allowed = t + lock, lock * 2, allowed + 1
    return allowed


def locked_until(server, pool_id, name):
    rows = server.psql("SELECT coalesce(locked_until, 0) FROM users WHERE "
                       "pool_id = '%s' AND username = '%s'" % (pool_id, name))
    return float(rows[0][0])


# --- lockout -------------------------------------------------------------

def test_parallel_wrong_passwords_hash_no_more_than_the_schedule(
        limited, lpool):
    idp, pid = lpool
    cid = make_client(idp, pid)["ClientId"]
    name = make_user(idp, pid)
    clients = [limited.boto3() for _ in range(8)]
    before = hashes(limited)
    start = time.monotonic()

    def attempt(i):
        return auth_error(clients[i % 8], pid, cid, name, WRONG)

    with concurrent.futures.ThreadPoolExecutor(40) as ex:
        answers = list(ex.map(attempt, range(40)))
    took = time.monotonic() - start
    hashed = hashes(limited) - before
    assert set(answers) <= {BAD_PASSWORD, LOCKED}, answers
    assert hashed == answers.count(BAD_PASSWORD)
    assert 5 <= hashed <= schedule_allows(took), (hashed, took)
    # After the lock, one more failure locks for twice as long (at least
    # 2 s); the right password is refused until that lock runs out.
    time.sleep(max(0.0, locked_until(limited, pid, name) - time.time()))
    assert auth_error(idp, pid, cid, name, WRONG) == BAD_PASSWORD
    until = locked_until(limited, pid, name)
    assert until - time.time() > 1
    hashed = hashes(limited)
    assert auth_error(idp, pid, cid, name) == LOCKED
    assert hashes(limited) == hashed, "a locked attempt was hashed"
    time.sleep(max(0.0, until - time.time()) + 0.1)
    assert "AuthenticationResult" in admin_auth(idp, pid, cid, name)


def test_wrong_totp_codes_lock_across_sign_ins(limited, lpool):
    idp, pid = lpool
    mfa_pool(limited, pid)
    cid = make_client(idp, pid)["ClientId"]
    name = make_user(idp, pid, email=unique_email())
    secret = with_totp(idp, pid, cid, name)
    good = totp(secret, int(time.time()) + 30)
    bad = "%06d" % ((int(good) + 1) % 10 ** 6)
    # Three wrong codes end a session; the next sign-in keeps the count.
    for tries in (3, 2):
        out = sign_in(idp, pid, cid, name)
        assert out["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        for _ in range(tries):
            with pytest.raises(botocore.exceptions.ClientError) as e:
                respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=bad)
            assert error_of(e)[0] == "CodeMismatchException"
    assert auth_error(idp, pid, cid, name) == LOCKED
    time.sleep(max(0.0, locked_until(limited, pid, name) - time.time()) + 0.2)
    out = sign_in(idp, pid, cid, name)
    good = totp(secret, int(time.time()) + 30)
    res = respond(idp, cid, out, SOFTWARE_TOKEN_MFA_CODE=good)
    assert "AuthenticationResult" in res
    assert locked_until(limited, pid, name) == 0


def test_parallel_wrong_totp_codes_are_charged(limited, lpool):
    idp, pid = lpool
    mfa_pool(limited, pid)
    cid = make_client(idp, pid)["ClientId"]
    name = make_user(idp, pid, email=unique_email())
    secret = with_totp(idp, pid, cid, name)
    out = sign_in(idp, pid, cid, name)
    good = totp(secret, int(time.time()) + 30)
    bad = ["%06d" % ((int(good) + i) % 10 ** 6) for i in range(1, 21)]

    def guess(code):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            respond(limited.boto3(), cid, out, SOFTWARE_TOKEN_MFA_CODE=code)
        return error_of(e)

    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        answers = list(ex.map(guess, bad))
    # Each guess compared was charged first: no more than the schedule.
    compared = sum(1 for a in answers if a[0] == "CodeMismatchException")
    assert compared <= 5, answers
    assert all(a[0] in ("CodeMismatchException", "NotAuthorizedException")
               for a in answers), answers
