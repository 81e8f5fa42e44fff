"""A plain HTTP client of the admin console (src/ui/console.c) for the
tests: one https connection per request to the test daemon, a cookie jar
that keeps what Set-Cookie says, the CSRF token of the last page read,
and form posts that carry it.

    s = ConsoleSession(server)
    s.sign_in()                      # account admin, password from the
                                     # state directory's console-password
    page = s.get("/console/")        # a Page: status, headers, text
    page = s.post("/console/...", {"field": "value", "multi": ["a", "b"]})

Redirects are not followed unless follow=True (the console answers form
posts with 303, Post/Redirect/Get). The conftest fixture `console` gives
a signed-in session on the module's server.
"""

import html
import http.client
import os
import re
import urllib.parse

CSRF_RE = re.compile(r'name="csrf" value="([^"]*)"')


def console_password(server):
    """The console's password as written on the first start."""
    with open(os.path.join(server.state_dir, "console-password")) as f:
        return f.read().strip()


class Page:
    def __init__(self, status, headers, set_cookies, text):
        self.status = status
        self.headers = headers          # lower-case names, last value
        self.set_cookies = set_cookies  # every Set-Cookie header
        self.text = text

    @property
    def location(self):
        return self.headers.get("location")

    def fields(self, name):
        """Values of <input name=...> (value attributes, unescaped)."""
        out = []
        for m in re.finditer(r'<input[^>]*\bname="%s"[^>]*>'
                             % re.escape(name), self.text):
            v = re.search(r'\bvalue="([^"]*)"', m.group(0))
            out.append(html.unescape(v.group(1)) if v else "")
        return out

    def __repr__(self):
        return "<Page %d %s>" % (self.status, self.text[:200])


class ConsoleSession:
    def __init__(self, server, scheme="https", port=None):
        self.server = server
        self.scheme = scheme
        self.port = port        # another listener's (console_listen)
        self.cookies = {}
        self.csrf = None
        self.last = None

    # -- cookies --------------------------------------------------------

    def _keep(self, set_cookies):
        for sc in set_cookies:
            first, _, attrs = sc.partition(";")
            name, _, value = first.strip().partition("=")
            if re.search(r"(?i)max-age=0\b", attrs) or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    # -- requests -------------------------------------------------------

    def request(self, method, path, body=None, headers=None, follow=False):
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = self.cookie_header()
        if self.port is not None:
            conn = http.client.HTTPSConnection(
                "localhost", self.port, timeout=30,
                context=self.server.ssl_context())
        else:
            conn = self.server.connection(self.scheme, timeout=30)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            set_cookies = r.msg.get_all("Set-Cookie") or []
            page = Page(r.status, {k.lower(): v for k, v in r.getheaders()},
                        set_cookies, data.decode("utf-8", "replace"))
        finally:
            conn.close()
        self._keep(set_cookies)
        m = CSRF_RE.search(page.text)
        if m:
            self.csrf = html.unescape(m.group(1))
        self.last = page
        if follow and page.status in (301, 302, 303) and page.location:
            return self.get(page.location, follow=True)
        return page

    def get(self, path, follow=False):
        return self.request("GET", path, follow=follow)

    def post(self, path, fields=None, csrf=True, follow=False):
        """POST a form; list values become repeated fields. The CSRF
        token of the last page read is added unless csrf is False (or a
        string: that token instead)."""
        pairs = []
        for k, v in (fields or {}).items():
            for one in (v if isinstance(v, (list, tuple)) else [v]):
                pairs.append((k, one))
        if csrf is True:
            if self.csrf is None:
                self.get("/console/")
            pairs.append(("csrf", self.csrf))
        elif isinstance(csrf, str):
            pairs.append(("csrf", csrf))
        body = urllib.parse.urlencode(pairs)
        return self.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"},
            follow=follow)

    # -- the console's sign-in ------------------------------------------

    def sign_in(self, username="admin", password=None):
        """Sign in through the form; the answer to the POST (303 to
        /console/ on success)."""
        if password is None:
            password = console_password(self.server)
        self.get("/console/")
        page = self.post("/console/signin", {"username": username,
                                             "password": password})
        if page.status == 303:
            self.get("/console/")
        return page

    @property
    def signed_in(self):
        return "userpoold_console" in self.cookies
