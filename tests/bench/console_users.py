"""console_users.py: the latency of the console's user list page
(/console/pools/<id>/users, src/ui/console_users.c) as a signed-in
browser sees it: one keep-alive HTTPS connection, requests one after
the other, each page read whole and checked to hold the users it should.

    python3 console_users.py BASE CACERT PASSWORD POOL_ID REQUESTS USERS

BASE is the daemon's https URL; PASSWORD the console's (the state
directory's console-password); USERS the pool's users, named
user1..userUSERS (console_users.sh loads them). Signs in through the form, then times
REQUESTS pages for each case below (a few first requests warm up and
are not counted) and prints one JSON object per case: per_second,
p50_ms, p99_ms, max_ms, rows (users on the page). Prints the session
cookie last (a line "cookie: ...") for wrk.
"""

import http.client
import json
import re
import ssl
import sys
import time
import urllib.parse

WARMUP = 20

PAGE = 50


def cases(n):
    """(name, query string, users the page must show) for users
    user1..userN."""
    def starting(prefix):
        return min(PAGE, sum(1 for i in range(1, n + 1)
                             if str(i).startswith(prefix)))
    one = str(n * 7 // 9)
    return [
        ("prefix-username-narrow", {"filter": 'username ^= "user12345"'},
         starting("12345")),
        ("prefix-username-wide", {"filter": 'username ^= "user1"'},
         starting("1")),
        ("prefix-email-picker", {"attribute": "email", "match": "^=",
                                 "value": "user99"}, starting("99")),
        ("equals-email", {"filter": 'email = "user%s@example.com"' % one},
         1),
        ("no-filter", {}, min(PAGE, n)),
    ]


class Client:
    def __init__(self, base, cacert):
        u = urllib.parse.urlsplit(base)
        ctx = ssl.create_default_context(cafile=cacert)
        self.conn = http.client.HTTPSConnection(u.hostname, u.port,
                                                context=ctx, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv
                                          for kv in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        for sc in r.msg.get_all("Set-Cookie") or []:
            name, _, rest = sc.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return r.status, text

    def sign_in(self, password):
        _, text = self.request("GET", "/console/")
        csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
        status, _ = self.request("POST", "/console/signin",
                                 urllib.parse.urlencode({
                                     "csrf": csrf, "username": "admin",
                                     "password": password}))
        if status != 303 or "userpoold_console" not in self.cookies:
            raise SystemExit("console sign-in failed: %d" % status)


def measure(client, path, n, rows):
    times = []
    for i in range(WARMUP + n):
        t0 = time.perf_counter()
        status, text = client.request("GET", path)
        dt = time.perf_counter() - t0
        got = text.count('data-field="username"')
        if status != 200 or got != rows:
            raise SystemExit("%s: status %d, %d rows, not %d"
                             % (path, status, got, rows))
        if i >= WARMUP:
            times.append(dt)
    times.sort()
    total = sum(times)

    def pct(p):
        return round(times[min(len(times) - 1, int(len(times) * p))] *
                     1000, 2)
    return {"per_second": round(len(times) / total, 1),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "max_ms": round(times[-1] * 1000, 2), "rows": rows}


def main():
    base, cacert, password, pool_id, n, users = sys.argv[1:7]
    client = Client(base, cacert)
    client.sign_in(password)
    for name, query, rows in cases(int(users)):
        path = "/console/pools/%s/users" % pool_id
        if query:
            path += "?" + urllib.parse.urlencode(query)
        r = measure(client, path, int(n), rows)
        r.update(name=name, path=path)
        print(json.dumps(r), flush=True)
    print("cookie: " + "; ".join("%s=%s" % kv
                                 for kv in client.cookies.items()))


if __name__ == "__main__":
    main()
