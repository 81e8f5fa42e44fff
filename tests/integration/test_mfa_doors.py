"""TOTP set-up through both doors runs one core (core/mfa_setup.c): an
authenticator app set up on the hosted UI's MFA_SETUP page then signs
in through the JSON API, one set up through the API's
AssociateSoftwareToken / VerifySoftwareToken signs in on the page, and
the page's refusals match the API's."""
import time

import botocore.exceptions
import pytest

from conftest import PASSWORD, error_of
from test_doors import ApiDoor, PageDoor, make_app, user_of  # noqa: F401
from test_mfa_signin import totp
from test_oauth import hidden, post_form


def test_app_set_up_on_the_page_signs_in_through_the_api(make_app):
    a = make_app(mfa="ON")
    name = user_of(a)
    page = PageDoor(a)
    out = page.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "MFA_SETUP")
    secret = hidden(page.page, "_secret")
    assert secret and "<svg" in page.page
    # A wrong code shows the same secret again, and nothing is set up.
    status, _, again = post_form(page.browser, page.page, code="000000")
    assert status == 400 and "did not match" in again
    assert hidden(again, "_secret") == secret
    u = a.idp.admin_get_user(UserPoolId=a.pool["Id"], Username=name)
    assert "UserMFASettingList" not in u
    page.page = again
    out = page.set_up_app()
    assert out.kind == "tokens" and out.name == name, out
    # The page turned TOTP on and made it preferred, as the API's
    # VerifySoftwareToken with a Session does.
    u = a.idp.admin_get_user(UserPoolId=a.pool["Id"], Username=name)
    assert u["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert u["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    # The API now asks for that app's code, and takes it.
    api = ApiDoor(a)
    out = api.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "SOFTWARE_TOKEN_MFA")
    out = api.answer("SOFTWARE_TOKEN_MFA_CODE",
                     totp(secret, int(time.time()) + 30))
    assert out.kind == "tokens" and out.name == name, out


def test_app_set_up_through_the_api_signs_in_on_the_page(make_app):
    a = make_app(mfa="ON")
    name = user_of(a)
    api = ApiDoor(a)
    out = api.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "MFA_SETUP")
    assoc = a.idp.associate_software_token(Session=api.last["Session"])
    # The same refusals as the page's: a wrong code, then a spent Session.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.idp.verify_software_token(Session=assoc["Session"],
                                    UserCode="000000")
    assert error_of(e)[0] == "EnableSoftwareTokenMFAException"
    ver = a.idp.verify_software_token(
        Session=assoc["Session"],
        UserCode=totp(assoc["SecretCode"], int(time.time())))
    assert ver["Status"] == "SUCCESS"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.idp.associate_software_token(Session=assoc["Session"])
    assert error_of(e)[0] == "NotAuthorizedException"
    out = api._call(
        a.idp.respond_to_auth_challenge, ClientId=a.client_id,
        ChallengeName="MFA_SETUP", Session=ver["Session"],
        ChallengeResponses={"USERNAME": name})
    assert out.kind == "tokens", out
    page = PageDoor(a)
    out = page.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "SOFTWARE_TOKEN_MFA")
    out = page.answer("SOFTWARE_TOKEN_MFA_CODE",
                      totp(assoc["SecretCode"], int(time.time()) + 30))
    assert out.kind == "tokens" and out.name == name, out


def test_a_spent_set_up_session_is_refused_on_the_page(make_app):
    a = make_app(mfa="ON")
    name = user_of(a)
    page = PageDoor(a)
    out = page.start(name, PASSWORD)
    assert (out.kind, out.name) == ("challenge", "MFA_SETUP")
    # The page's Session, spent through the API, no longer verifies.
    session = hidden(page.page, "_session")
    a.idp.associate_software_token(Session=session)
    status, _, body = post_form(page.browser, page.page, code="123456")
    assert status == 400 and "did not match" in body
    # Nor can the set-up page be started again with it.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        a.idp.verify_software_token(Session=session, UserCode="123456")
    assert error_of(e)[0] == "NotAuthorizedException"
