"""What the Python identity providers of the federation tests share
(facebook.py, saml_idp.py, apple.py, amazon.py): a threaded HTTP server
on 127.0.0.1, a request handler with small helpers (query, form, JSON and
HTML answers, redirects, per-endpoint delay and fail knobs), the /test/
admin endpoints they have in common (and an OAuth provider's clients
and codes: ClientsState; the start of its authorize endpoint and its
login page: OAuthHandler), and main(), which prints the port on stdout
once the
server listens and stops it when standard input closes (when it is a
pipe), so that a killed pytest leaves no server behind.

Common admin endpoints (JSON bodies and answers):
  POST /test/users    USER or [USER...]: add, or merge into the user with
                      that key (a null value removes a field)
  GET  /test/users;   DELETE /test/users/<key>
  POST /test/knobs    merge knobs;  GET /test/knobs;  POST /test/reset
                      (knobs back to their defaults, log emptied)
  GET  /test/log      what clients sent, oldest first
Knobs every server has: delay_ms {endpoint: ms}, fail {endpoint: status
or {"status", "body"}}, auto_login (a user signed in without a page),
deny (the sign-in is refused as if the user cancelled).
"""
import base64
import hashlib
import html
import http.server
import json
import os
import stat
import sys
import secrets
import threading
import time
import urllib.parse

BODY_MAX = 1 << 20
LOG_MAX = 200


def pkce_ok(challenge, method, verifier):
    """Whether verifier answers the code_challenge (S256 or plain)."""
    if method == "S256":
        verifier = base64.urlsafe_b64encode(hashlib.sha256(
            (verifier or "").encode()).digest()).rstrip(b"=").decode()
    return secrets.compare_digest(verifier or "", challenge)


class IdpState:
    """Users, knobs and the log of one server; subclasses add theirs."""

    user_key = "id"

    def __init__(self, config):
        self.lock = threading.Lock()
        self.users = {}
        self.log = []
        self.logins = 0
        self.knobs = self.default_knobs()
        for u in config.get("users", []):
            self.add_user(u)
        self.knobs.update(config.get("knobs", {}))

    def default_knobs(self):
        return {"auto_login": None, "deny": None, "delay_ms": {},
                "fail": {}, "require_pkce": False}

    def add_user(self, u):
        key = u.get(self.user_key)
        if not isinstance(key, str) or not key:
            raise ValueError("a user needs a %s" % self.user_key)
        with self.lock:
            merged = dict(self.users.get(key, {}), **u)
            self.users[key] = {k: v for k, v in merged.items()
                               if v is not None}
            return self.users[key]

    def find_user(self, name):
        """A user by key, username or email."""
        if not name:
            return None
        with self.lock:
            if name in self.users:
                return self.users[name]
            for u in self.users.values():
                if name in (u.get("username"), u.get("email")):
                    return u
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(dict(entry, time=time.time()))
            del self.log[:-LOG_MAX]

    def reset(self):
        with self.lock:
            self.knobs = self.default_knobs()
            self.log = []

    def admin(self, method, path, body):
        """(status, JSON) of a /test/ call, None when it is not one of
        the common ones."""
        items = body if isinstance(body, list) else [body]
        if path == "/test/users" and method == "POST":
            return 200, [self.add_user(u) for u in items]
        if path == "/test/users" and method == "GET":
            return 200, list(self.users.values())
        if path.startswith("/test/users/") and method == "DELETE":
            key = urllib.parse.unquote(path[len("/test/users/"):])
            with self.lock:
                return 200, {"deleted": self.users.pop(key, None)
                             is not None}
        if path == "/test/knobs" and method == "POST":
            with self.lock:
                self.knobs.update(body)
            return 200, dict(self.knobs, logins=self.logins)
        if path == "/test/knobs" and method == "GET":
            return 200, dict(self.knobs, logins=self.logins)
        if path == "/test/reset" and method == "POST":
            self.reset()
            return 200, {"ok": True}
        if path == "/test/log" and method == "GET":
            return 200, self.log
        return None


class ClientsState(IdpState):
    """The state of an OAuth provider: its clients too, by client_id
    (from the config's clients, and POST /test/clients CLIENT or
    [CLIENT...]), and the authorization codes it gave (new_code,
    take_code)."""

    code_ttl = 300

    def __init__(self, config):
        self.clients = {}
        self.codes = {}
        super().__init__(config)
        for c in config.get("clients", []):
            self.add_client(c)

    def add_client(self, c):
        if not c.get("client_id"):
            raise ValueError("a client needs a client_id")
        with self.lock:
            self.clients[c["client_id"]] = dict(
                c, redirect_uris=list(c.get("redirect_uris", [])))

    def new_code(self, prefix, client, user_key, redirect_uri, **grant):
        """A single-use code for the user (its key) signed in to client
        for redirect_uri, with more of the grant; counts a login."""
        code = prefix + secrets.token_urlsafe(24)
        with self.lock:
            self.logins += 1
            self.codes[code] = dict(grant, client_id=client["client_id"],
                                    user=user_key, redirect_uri=redirect_uri,
                                    exp=time.time() + self.code_ttl)
        return code

    def take_code(self, p, client):
        """The grant of the token request p's code (used up), or None
        when it is not an authorization_code grant of a live code given
        to that client for that redirect_uri."""
        with self.lock:
            grant = self.codes.pop(p.get("code", ""), None)
        if (p.get("grant_type") != "authorization_code" or grant is None or
                grant["exp"] < time.time() or
                grant["client_id"] != client["client_id"] or
                grant["redirect_uri"] != p.get("redirect_uri")):
            return None
        return grant

    def admin(self, method, path, body):
        if path == "/test/clients" and method == "POST":
            for c in body if isinstance(body, list) else [body]:
                self.add_client(c)
            return 200, {"ok": True}
        return super().admin(method, path, body)


class Handler(http.server.BaseHTTPRequestHandler):
    """Base handler: subclasses define routes() -> {(method, path):
    (endpoint name or None, function)}; self.state is the IdpState."""

    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # --- reading the request ---
    def split(self):
        # One handler serves every request of a kept-alive connection:
        # the body read for the previous one is not this one's.
        self.__dict__.pop("_body", None)
        u = urllib.parse.urlsplit(self.path)
        self.path_only = u.path
        self.query = {k: v[-1] for k, v in
                      urllib.parse.parse_qs(u.query).items()}

    def body_bytes(self):
        if not hasattr(self, "_body"):
            n = int(self.headers.get("Content-Length") or 0)
            if n > BODY_MAX:
                raise ValueError("body too large")
            self._body = self.rfile.read(n) if n else b""
        return self._body

    def form(self):
        return {k: v[-1] for k, v in urllib.parse.parse_qs(
            self.body_bytes().decode(), keep_blank_values=True).items()}

    def params(self):
        """The query, and for a form POST the form fields too."""
        p = dict(self.query)
        ctype = self.headers.get("Content-Type", "")
        if self.command == "POST" and "urlencoded" in ctype:
            p.update(self.form())
        return p

    # --- answers ---
    def send(self, status, body, ctype, headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, obj, headers=None):
        self.send(status, json.dumps(obj), "application/json", headers)

    def html(self, status, text, headers=None):
        self.send(status, text, "text/html; charset=utf-8", headers)

    def redirect(self, url, status=302, headers=None):
        self.send(status, "", "text/plain",
                  dict(headers or {}, Location=url))

    # --- dispatch ---
    def handle_any(self):
        self.split()
        try:
            # Read whatever the answer, or the next request on the
            # connection would start inside this one's body.
            self.body_bytes()
            if self.path_only.startswith("/test/"):
                return self.do_admin()
            route = self.routes().get((self.command, self.path_only))
            if route is None:
                route = self.match_route()
            if route is None:
                return self.json(404, {"error": "not found"})
            endpoint, fn = route
            if endpoint is not None:
                knobs = self.state.knobs
                delay = knobs["delay_ms"].get(endpoint)
                if delay:
                    time.sleep(delay / 1000)
                fail = knobs["fail"].get(endpoint)
                if fail:
                    f = fail if isinstance(fail, dict) else {"status": fail}
                    self.state.record({"endpoint": endpoint,
                                       "method": self.command,
                                       "failed": True})
                    return self.json(f.get("status", 500), f.get(
                        "body", {"error": "failed by the fail knob"}))
            return fn()
        except Exception as e:  # a test server: say what went wrong
            import traceback
            traceback.print_exc()
            return self.json(400, {"error": "%s: %s"
                                   % (type(e).__name__, e)})

    def match_route(self):
        return None

    def do_admin(self):
        body = self.body_bytes()
        obj = json.loads(body) if body else {}
        r = self.admin(self.command, self.path_only, obj)
        if r is None:
            r = self.state.admin(self.command, self.path_only, obj)
        if r is None:
            return self.json(404, {"error": "no such admin endpoint"})
        return self.json(*r)

    def admin(self, method, path, body):
        """A subclass's own admin endpoints; None for the common ones."""
        return None

    do_GET = do_POST = do_DELETE = handle_any


class OAuthHandler(Handler):
    """An OAuth provider's handler: the start of its authorize endpoint
    (what the request asks, the client, the user signed in) and its
    login page, titled login_title."""

    login_title = "Sign in (test)"

    def authorize_request(self):
        """The request's parameters (recorded as endpoint authorize,
        without the password) and its client, None when the client or
        its redirect_uri is unknown."""
        p = self.params()
        self.state.record({"endpoint": "authorize", "method": self.command,
                           "params": {k: v for k, v in p.items()
                                      if k != "password"}})
        client = self.state.clients.get(p.get("client_id", ""))
        if client is None or \
                p.get("redirect_uri", "") not in client["redirect_uris"]:
            return p, None
        return p, client

    def denied(self, p):
        """The user cancelled, or the deny knob is set."""
        return bool(p.get("cancel") or self.state.knobs["deny"])

    def signed_in(self, p):
        """The user of the login form's post, else the auto_login one."""
        st = self.state
        if self.command == "POST" and "username" in p:
            return st.find_user(p["username"])
        return st.find_user(st.knobs["auto_login"])

    def login_form(self, p):
        """The login page, carrying the request's parameters."""
        hidden = {k: v for k, v in p.items()
                  if k not in ("username", "password", "cancel")}
        return self.html(200, login_page(self.login_title, self.path_only,
                                         hidden))


def esc(s):
    return html.escape(str(s), quote=True)


def login_page(title, action, hidden, message=None):
    """The login form of a test IdP: input#username, input#password
    (ignored), button#submit; a second form posts cancel=1 (button#cancel)."""
    fields = "".join('<input type="hidden" name="%s" value="%s">'
                     % (esc(k), esc(v)) for k, v in hidden.items())
    msg = '<p id="error">%s</p>' % esc(message) if message else ""
    return """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>%(t)s</title></head>
<body><h1>%(t)s</h1>%(m)s
<form method="post" action="%(a)s">%(f)s
<label>Username <input id="username" name="username" autofocus></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit">Sign in</button>
</form>
<form method="post" action="%(a)s">%(f)s
<input type="hidden" name="cancel" value="1">
<button id="cancel" type="submit">Cancel</button>
</form></body></html>
""" % {"t": esc(title), "a": esc(action), "f": fields, "m": msg}


def read_config(argv, env_name):
    text = argv[1] if len(argv) > 1 else os.environ.get(env_name, "{}")
    return json.loads(text)


def serve(handler_class, port=0):
    """Start the server on a thread; (server, port)."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                          handler_class)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, srv.server_address[1]


def main(handler_class, port=0, ready=None):
    """Serve until stdin closes (a pipe) or forever; print the port."""
    srv, port = serve(handler_class, port)
    if ready is not None:
        ready(port)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    if stat.S_ISFIFO(os.fstat(0).st_mode):
        while sys.stdin.buffer.read(4096):
            pass
    else:
        threading.Event().wait()
    srv.shutdown()
