"""A Login with Amazon-shaped OAuth 2.0 server on loopback for the
federation tests (ProviderType LoginWithAmazon, its authorize_url,
token_url and attributes_url pointed here).

    python3 amazon.py [CONFIG-JSON]   (or in $AMAZON_IDP_CONFIG)

It listens on 127.0.0.1 (port 0 unless CONFIG["port"]), prints the port
on stdout when ready, and stops when its standard input closes. CONFIG:
{"clients": [CLIENT...], "users": [USER...], "knobs": {...}}. CLIENT:
{"client_id", "client_secret", "redirect_uris"}. USER: {"user_id"
(amzn1.account.<...>, Amazon's subject), "name", "email",
"postal_code"}.

Endpoints, as Amazon's:
  GET  /ap/oa?client_id&scope&response_type=code&redirect_uri&state
       [&code_challenge&code_challenge_method=S256]:
       the user (auto_login knob, or the login form), then 302 to
       redirect_uri with code, scope and state; deny: error=access_denied.
  POST /auth/o2/token (grant_type=authorization_code, code, redirect_uri,
       client_id, client_secret[, code_verifier: checked when the code
       had a challenge]) -> {"access_token": "Atza|...",
       "token_type": "bearer", "expires_in", "refresh_token": "Atzr|..."};
       errors {"error", "error_description"} with status 400.
  GET  /user/profile (Authorization: Bearer, or access_token in the
       query): {"user_id", "name", "email"} and postal_code when the
       scope had postal_code; 401 {"error": "invalid_token"} otherwise.
Admin endpoints: those of httpbase.py (users keyed by user_id), POST
/test/clients. Knobs: auto_login, deny, delay_ms and fail with endpoints
authorize, token, profile; require_pkce (a code without a code_challenge
is refused).
"""
import secrets
import sys
import urllib.parse

import httpbase


class AmazonState(httpbase.ClientsState):
    user_key = "user_id"

    def __init__(self, config):
        self.tokens = {}
        super().__init__(config)


class AmazonHandler(httpbase.OAuthHandler):

    login_title = "Login with Amazon (test)"

    def routes(self):
        return {("GET", "/ap/oa"): ("authorize", self.authorize),
                ("POST", "/ap/oa"): ("authorize", self.authorize),
                ("POST", "/auth/o2/token"): ("token", self.token),
                ("GET", "/user/profile"): ("profile", self.profile)}

    def authorize(self):
        p, client = self.authorize_request()
        if client is None:
            return self.html(400, '<p id="error">An unknown client or '
                             'redirect_uri</p>')
        redirect_uri = p["redirect_uri"]
        back = {"state": p["state"]} if "state" in p else {}
        sep = "&" if "?" in redirect_uri else "?"
        if self.denied(p):
            return self.redirect(redirect_uri + sep + urllib.parse.urlencode(
                dict(error="access_denied", error_description="The user "
                     "denied the request.", **back)))
        user = self.signed_in(p)
        if user is None:
            return self.login_form(p)
        code = self.state.new_code(
            "ANd", client, user["user_id"], redirect_uri,
            scope=p.get("scope", ""), challenge=p.get("code_challenge"),
            method=p.get("code_challenge_method", "plain"))
        return self.redirect(redirect_uri + sep + urllib.parse.urlencode(
            dict(code=code, scope=p.get("scope", ""), **back)))

    def token(self):
        st = self.state
        p = self.form()
        st.record({"endpoint": "token", "method": self.command,
                   "params": {k: (True if k in ("client_secret", "code",
                                               "code_verifier")
                                  else v) for k, v in p.items()}})
        client = st.clients.get(p.get("client_id", ""))
        if client is None or not secrets.compare_digest(
                p.get("client_secret", ""), client["client_secret"]):
            return self.json(401, {"error": "invalid_client",
                                   "error_description": "Client "
                                   "authentication failed"})
        grant = st.take_code(p, client)
        if grant is not None and (grant["challenge"] or
                                  st.knobs["require_pkce"]) and (
                not grant["challenge"] or not httpbase.pkce_ok(
                    grant["challenge"], grant["method"],
                    p.get("code_verifier"))):
            grant = None
        if grant is None:
            return self.json(400, {"error": "invalid_grant",
                                   "error_description": "The request has "
                                   "an invalid grant parameter : code"})
        token = "Atza|" + secrets.token_urlsafe(32)
        with st.lock:
            st.tokens[token] = grant
        return self.json(200, {"access_token": token, "token_type": "bearer",
                               "expires_in": 3600,
                               "refresh_token": "Atzr|" +
                               secrets.token_urlsafe(32)})

    def profile(self):
        st = self.state
        authz = self.headers.get("Authorization", "")
        token, auth = self.query.get("access_token"), "query"
        if authz.lower().startswith("bearer "):
            token, auth = authz[7:].strip(), "bearer"
        st.record({"endpoint": "profile", "method": self.command,
                   "auth": auth})
        grant = st.tokens.get(token or "")
        if grant is None:
            return self.json(401, {"error": "invalid_token",
                                   "error_description": "The request has "
                                   "an invalid parameter : access_token"})
        user = st.users[grant["user"]]
        out = {k: user[k] for k in ("user_id", "name", "email")
               if k in user}
        if "postal_code" in grant["scope"].split() and "postal_code" in user:
            out["postal_code"] = user["postal_code"]
        return self.json(200, out)


def main(argv):
    config = httpbase.read_config(argv, "AMAZON_IDP_CONFIG")
    AmazonHandler.state = AmazonState(config)
    httpbase.main(AmazonHandler, config.get("port", 0))


if __name__ == "__main__":
    main(sys.argv)
