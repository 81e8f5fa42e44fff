"""A Facebook-shaped OAuth 2.0 server on loopback for the federation tests
(ProviderType Facebook, its authorize_url, token_url and attributes_url
overridden to point here).

    python3 facebook.py [CONFIG-JSON]   (or in $FACEBOOK_IDP_CONFIG)

It listens on 127.0.0.1 (port 0 unless CONFIG["port"]), prints the port on
stdout when ready, and stops when its standard input (a pipe) closes.
CONFIG: {"clients": [CLIENT...], "users": [USER...], "knobs": {...}}.
CLIENT (a Facebook app): {"client_id", "client_secret", "redirect_uris"}.
USER: {"id" (the app-scoped user id, Facebook's subject), "name", "email",
"first_name", "last_name", "picture", ... any field}; sign in with the id
or the email.

Endpoints, any Graph API version (/vNN.N/):
  GET  /vNN.N/dialog/oauth?client_id&redirect_uri&state&scope
       [&code_challenge&code_challenge_method=S256]: the login page (or no
       page: a user already signed in here by cookie, the auto_login knob,
       or the login_hint of a known user), then 302 to redirect_uri with
       code and state; a cancel or the deny knob gives error=access_denied,
       error_reason=user_denied. An unknown client or redirect_uri is an
       error page, not a redirect.
  GET or POST /vNN.N/oauth/access_token (client_id, client_secret,
       redirect_uri, code[, code_verifier]) -> {"access_token",
       "token_type": "bearer", "expires_in"}; codes are single-use, bound
       to the client and redirect_uri, valid 10 minutes.
  GET  /me or /vNN.N/me?fields=id,name,email&access_token=... (or
       Authorization: Bearer): the requested fields the user has (id and
       name when fields is absent).
Errors are Graph API errors: {"error": {"message", "type":
"OAuthException", "code", "fbtrace_id"}} with status 400.

Admin endpoints: those of httpbase.py (users keyed by id), and
POST /test/clients CLIENT or [CLIENT...]. Knobs: auto_login, deny,
delay_ms and fail with endpoints authorize, token, me; require_pkce (a
code without a code_challenge is refused at the token endpoint).
"""
import re
import secrets
import sys
import time
import urllib.parse

import httpbase

CODE_TTL = 600
TOKEN_TTL = 5183944		# what Facebook gives: about 60 days
COOKIE = "fb_test_session"
VERSIONED = re.compile(r"^/v\d+\.\d+(/.*)$")


class FacebookState(httpbase.ClientsState):
    user_key = "id"

    def __init__(self, config):
        self.codes = {}
        self.tokens = {}
        self.sessions = {}
        super().__init__(config)

    def default_knobs(self):
        return dict(super().default_knobs(), login_hint=True)


def graph_error(handler, message, code, status=400):
    handler.json(status, {"error": {
        "message": message, "type": "OAuthException", "code": code,
        "fbtrace_id": secrets.token_urlsafe(8)}})


def with_query(url, params):
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


class FacebookHandler(httpbase.Handler):

    def routes(self):
        return {}

    def match_route(self):
        path = self.path_only
        m = VERSIONED.match(path)
        rest = m.group(1) if m else path
        if rest == "/dialog/oauth" and m and self.command in ("GET",
                                                              "POST"):
            return "authorize", self.dialog
        if rest == "/oauth/access_token" and m:
            return "token", self.access_token
        if rest == "/me" and self.command in ("GET", "POST"):
            return "me", self.me
        return None

    def session_user(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                uid = self.state.sessions.get(value)
                return self.state.users.get(uid)
        return None

    def dialog(self):
        st = self.state
        p = self.params()
        st.record({"endpoint": "authorize", "method": self.command,
                   "params": {k: v for k, v in p.items()
                              if k not in ("password",)}})
        client = st.clients.get(p.get("client_id", ""))
        redirect_uri = p.get("redirect_uri", "")
        if client is None:
            return self.html(400, "<p id=\"error\">Invalid App ID</p>")
        if redirect_uri not in client["redirect_uris"]:
            return self.html(400, "<p id=\"error\">URL blocked: "
                             "redirect_uri is not whitelisted</p>")
        back = {"state": p["state"]} if "state" in p else {}
        if p.get("cancel") or st.knobs["deny"]:
            return self.redirect(with_query(redirect_uri, dict(
                error_reason="user_denied",
                error=st.knobs["deny"] or "access_denied",
                error_description="Permissions error", **back)))
        user = None
        cookie = {}
        if self.command == "POST" and "username" in p:
            user = st.find_user(p["username"])
            if user is None:
                return self.login_page(p, "Unknown user")
        else:
            user = (self.session_user() or st.find_user(
                st.knobs["auto_login"]) or (
                st.knobs["login_hint"] and st.find_user(
                    p.get("login_hint"))))
        if user is None:
            return self.login_page(p)
        if self.session_user() is not user:
            sid = secrets.token_urlsafe(16)
            st.sessions[sid] = user["id"]
            cookie = {"Set-Cookie": "%s=%s; Path=/; HttpOnly; "
                      "SameSite=Lax" % (COOKIE, sid)}
        code = secrets.token_urlsafe(32)
        with st.lock:
            st.logins += 1
            st.codes[code] = {
                "client_id": client["client_id"], "user": user["id"],
                "redirect_uri": redirect_uri, "exp": time.time() + CODE_TTL,
                "challenge": p.get("code_challenge"),
                "method": p.get("code_challenge_method", "plain")}
        return self.redirect(with_query(redirect_uri, dict(code=code,
                                                           **back)),
                             headers=cookie)

    def login_page(self, p, message=None):
        hidden = {k: v for k, v in p.items()
                  if k not in ("username", "password", "cancel")}
        return self.html(200, httpbase.login_page(
            "Log in to Facebook (test)", self.path_only, hidden, message))

    def access_token(self):
        st = self.state
        p = self.params()
        auth = "post" if "client_secret" in self.form() else "query"
        if self.command == "GET":
            auth = "query"
        st.record({"endpoint": "token", "method": self.command,
                   "auth": auth,
                   "params": {k: (True if k in ("client_secret", "code",
                                                "code_verifier") else v)
                              for k, v in p.items()}})
        client = st.clients.get(p.get("client_id", ""))
        if client is None or not secrets.compare_digest(
                p.get("client_secret", ""), client.get("client_secret", "")):
            return graph_error(self, "Error validating client secret.", 1)
        with st.lock:
            grant = st.codes.pop(p.get("code", ""), None)
        if (grant is None or grant["exp"] < time.time() or
                grant["client_id"] != client["client_id"]):
            return graph_error(self, "Invalid verification code format.",
                               100)
        if grant["redirect_uri"] != p.get("redirect_uri"):
            return graph_error(self, "Error validating verification code. "
                               "Please make sure your redirect_uri is "
                               "identical to the one you used in the OAuth "
                               "dialog request", 100)
        if grant["challenge"] is None and st.knobs["require_pkce"]:
            return graph_error(self, "Invalid code verifier.", 100)
        if grant["challenge"] and not httpbase.pkce_ok(
                grant["challenge"], grant["method"], p.get("code_verifier")):
            return graph_error(self, "Invalid code verifier.", 100)
        token = "EAAT" + secrets.token_urlsafe(40)
        with st.lock:
            st.tokens[token] = {"user": grant["user"],
                                "exp": time.time() + TOKEN_TTL}
        return self.json(200, {"access_token": token, "token_type": "bearer",
                               "expires_in": TOKEN_TTL})

    def me(self):
        st = self.state
        p = self.params()
        token = p.get("access_token")
        auth = "query"
        authz = self.headers.get("Authorization", "")
        if authz.lower().startswith("bearer "):
            token, auth = authz[7:].strip(), "bearer"
        st.record({"endpoint": "me", "method": self.command, "auth": auth,
                   "params": {k: v for k, v in p.items()
                              if k != "access_token"}})
        grant = st.tokens.get(token or "")
        if grant is None or grant["exp"] < time.time():
            return graph_error(self, "Invalid OAuth access token.", 190)
        user = st.users.get(grant["user"])
        if user is None:
            return graph_error(self, "Unsupported get request.", 100)
        fields = [f.strip() for f in p.get("fields", "id,name").split(",")
                  if f.strip()]
        out = {f: user[f] for f in fields if f in user}
        out["id"] = user["id"]
        return self.json(200, out)


def main(argv):
    config = httpbase.read_config(argv, "FACEBOOK_IDP_CONFIG")
    FacebookHandler.state = FacebookState(config)
    httpbase.main(FacebookHandler, config.get("port", 0))


if __name__ == "__main__":
    main(sys.argv)
