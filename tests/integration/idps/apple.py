"""An Apple-shaped Sign in with Apple server on loopback for the
federation tests (ProviderType SignInWithApple with authorize_url,
token_url, oidc_issuer and jwks_uri pointed here).

    python3 apple.py [CONFIG-JSON]   (or in $APPLE_IDP_CONFIG)

It listens on 127.0.0.1 (port 0 unless CONFIG["port"]), prints the port
on stdout when ready, and stops when its standard input closes. CONFIG:
{"clients": [CLIENT...], "users": [USER...], "knobs": {...}}.
CLIENT (a Services ID): {"client_id", "team_id", "key_id", "public_key"
(PEM of the EC P-256 key the relying party signs its client secrets
with), "redirect_uris"}. USER: {"sub", "email", "firstName",
"lastName", "is_private_email"}.

Endpoints, as Apple's:
  GET  /auth/authorize?client_id&redirect_uri&response_type=code&state
       [&scope&nonce&response_mode]: a scope needs response_mode=form_post
       (else an error page, as Apple answers); the user (auto_login knob,
       or the login form) is sent back by an auto-posting form with code,
       state and, on the user's first sign-in to that client, the `user`
       JSON ({"name": {"firstName", "lastName"}, "email"}); without
       form_post by a 302 with code and state. deny:
       error=user_cancelled_authorize.
  POST /auth/token (client_id, client_secret, code, grant_type,
       redirect_uri): client_secret must be an ES256 JWT verified with the
       client's public key (kid = key_id, iss = team_id, sub = client_id,
       aud = https://appleid.apple.com, exp in the future and at most six
       months after iat), else {"error": "invalid_client"}; the code is
       single use, bound to client and redirect_uri. Answers access_token,
       token_type, expires_in, refresh_token and an RS256 id_token (iss =
       this server's URL, aud = client_id, sub, nonce, email,
       email_verified "true", is_private_email, auth_time).
  GET  /auth/keys: the JWKS.
Admin endpoints: those of httpbase.py (users keyed by sub), POST
/test/clients CLIENT or [CLIENT...]. Knobs: auto_login, deny, delay_ms
and fail with endpoints authorize, token, keys.
"""
import base64
import json
import secrets
import sys
import time
import urllib.parse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import httpbase

SIX_MONTHS = 15777000
AUDIENCE = "https://appleid.apple.com"


def b64u(n):
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class AppleState(httpbase.ClientsState):
    user_key = "sub"

    def __init__(self, config):
        self.seen = set()		# (client_id, sub): the user was told
        self.key = rsa.generate_private_key(public_exponent=65537,
                                            key_size=2048)
        self.kid = "apple-" + secrets.token_hex(4)
        super().__init__(config)

    def jwks(self):
        pub = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "kid": self.kid, "use": "sig",
                          "alg": "RS256", "n": b64u(pub.n),
                          "e": b64u(pub.e)}]}


def autopost(action, fields):
    inputs = "".join('<input type="hidden" name="%s" value="%s">'
                     % (httpbase.esc(k), httpbase.esc(v))
                     for k, v in fields.items())
    return ('<!DOCTYPE html><html><body onload="document.forms[0].submit()">'
            '<form method="post" action="%s">%s</form></body></html>'
            % (httpbase.esc(action), inputs))


class AppleHandler(httpbase.OAuthHandler):

    login_title = "Sign in with Apple (test)"

    def routes(self):
        return {("GET", "/auth/authorize"): ("authorize", self.authorize),
                ("POST", "/auth/authorize"): ("authorize", self.authorize),
                ("POST", "/auth/token"): ("token", self.token),
                ("GET", "/auth/keys"): ("keys", self.keys)}

    def answer(self, redirect_uri, form_post, fields):
        if form_post:
            return self.html(200, autopost(redirect_uri, fields))
        sep = "&" if "?" in redirect_uri else "?"
        return self.redirect(redirect_uri + sep +
                             urllib.parse.urlencode(fields))

    def authorize(self):
        st = self.state
        p, client = self.authorize_request()
        if client is None:
            return self.html(400, '<p id="error">invalid_client</p>')
        redirect_uri = p["redirect_uri"]
        form_post = p.get("response_mode") == "form_post"
        if p.get("scope") and not form_post:
            return self.html(400, '<p id="error">response_mode must be '
                             'form_post when name or email scope is '
                             'requested.</p>')
        back = {"state": p["state"]} if "state" in p else {}
        if self.denied(p):
            return self.answer(redirect_uri, form_post, dict(
                error="user_cancelled_authorize", **back))
        user = self.signed_in(p)
        if user is None:
            return self.login_form(p)
        code = st.new_code("c", client, user["sub"], redirect_uri,
                           nonce=p.get("nonce"))
        with st.lock:
            first = (client["client_id"], user["sub"]) not in st.seen
            st.seen.add((client["client_id"], user["sub"]))
        fields = dict(code=code, **back)
        if first and form_post and p.get("scope"):
            fields["user"] = json.dumps({
                "name": {"firstName": user.get("firstName", ""),
                         "lastName": user.get("lastName", "")},
                "email": user.get("email", "")})
        return self.answer(redirect_uri, form_post, fields)

    def client_secret_fails(self, client, secret):
        """None when the client secret JWT verifies, else why."""
        try:
            head = jwt.get_unverified_header(secret)
            if head.get("alg") != "ES256" or \
                    head.get("kid") != client["key_id"]:
                return "header %r" % head
            claims = jwt.decode(secret, client["public_key"],
                                algorithms=["ES256"], audience=AUDIENCE,
                                issuer=client["team_id"],
                                options={"require": ["iat", "exp", "sub"]})
        except jwt.PyJWTError as e:
            return "%s: %s" % (type(e).__name__, e)
        if claims["sub"] != client["client_id"]:
            return "sub %r" % claims["sub"]
        if claims["exp"] - claims["iat"] > SIX_MONTHS:
            return "lives too long"
        return None

    def token(self):
        st = self.state
        p = self.form()
        client = st.clients.get(p.get("client_id", ""))
        why = ("unknown client" if client is None else
               self.client_secret_fails(client, p.get("client_secret", "")))
        st.record({"endpoint": "token", "method": self.command,
                   "secret_ok": why is None, "why": why,
                   "params": {k: (True if k in ("client_secret", "code")
                                  else v) for k, v in p.items()}})
        if why is not None:
            return self.json(400, {"error": "invalid_client"})
        grant = st.take_code(p, client)
        if grant is None:
            return self.json(400, {"error": "invalid_grant"})
        user = st.users[grant["user"]]
        now = int(time.time())
        claims = {"iss": self.issuer(), "aud": client["client_id"],
                  "exp": now + 600, "iat": now, "sub": user["sub"],
                  "at_hash": secrets.token_urlsafe(16),
                  "email": user.get("email"), "email_verified": "true",
                  "is_private_email": str(bool(user.get(
                      "is_private_email"))).lower(),
                  "auth_time": now, "nonce_supported": True}
        if grant["nonce"]:
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode(claims, st.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()), algorithm="RS256",
            headers={"kid": st.kid})
        return self.json(200, {"access_token": "a" + secrets.token_hex(16),
                               "token_type": "Bearer", "expires_in": 3600,
                               "refresh_token": "r" + secrets.token_hex(16),
                               "id_token": id_token})

    def issuer(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    def keys(self):
        self.state.record({"endpoint": "keys", "method": self.command})
        return self.json(200, self.state.jwks())


def main(argv):
    config = httpbase.read_config(argv, "APPLE_IDP_CONFIG")
    AppleHandler.state = AppleState(config)
    httpbase.main(AppleHandler, config.get("port", 0))


if __name__ == "__main__":
    main(sys.argv)
