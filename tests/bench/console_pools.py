#!/usr/bin/env python3
"""console_pools.py: admin console pages per second, the pool list of
1,000 pools (issue 12). The daemon (USERPOOLD_BIN, default
build/src/userpoold, its own embedded PostgreSQL) is started here on
loopback; one pool is made with CreateUserPool and 999 copies of its
row are written with one INSERT (a fast path of this script only: the
pool list reads the pools table, nothing else of a pool). Each client
signs in to the console through its form and then reads pages in a loop
on one keep-alive connection, with its session cookie:

    python3 tests/bench/console_pools.py [SECONDS [CLIENTS [POOLS]]]
                                         (10, 4, 1000)

Prints "home" (GET /console/: the first 60 pools, a ListUserPools run
through api_op_run plus the session's lookup and renewal) and "page"
(GET /console/?next=...: a later page, by its NextToken) with pages per
second, p50 and p99 in milliseconds, and "all" (the 17 pages that list
every pool, one after the other) with its time. The clients are Python
threads: with few cores, the figure is the machine's, not the daemon's
alone. (BENCH_LOG_LEVEL sets the daemon's log level, warn by default.)
"""
import http.client
import os
import re
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from conftest import Server, psql  # noqa: E402
from console_client import ConsoleSession  # noqa: E402

NEXT_RE = re.compile(r'href="/console/\?next=([^"]+)" rel="next"')


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else 0.0


def load_pools(srv, n):
    """One real pool and n - 1 copies of its row."""
    pid = srv.boto3().create_user_pool(PoolName="bench-0000")[
        "UserPool"]["Id"]
    region = pid.split("_")[0]
    psql(srv, "INSERT INTO pools (id, name, config) SELECT "
         "'%s_bench' || lpad(g::text, 5, '0'), 'bench-' || "
         "lpad(g::text, 4, '0'), config FROM pools, generate_series(1, %d) "
         "g WHERE id = '%s'" % (region, n - 1, pid))


class Client:
    def __init__(self, srv):
        self.srv = srv
        self.session = ConsoleSession(srv)
        page = self.session.sign_in()
        assert page.status == 303, page
        self.conn = srv.connection("https", timeout=30)
        self.times = {"home": [], "page": []}
        self.errors = 0
        self.next = None

    def get(self, path):
        self.conn.request("GET", path, headers={
            "Cookie": self.session.cookie_header()})
        r = self.conn.getresponse()
        body = r.read().decode()
        if r.status != 200:
            self.errors += 1
        return body

    def run(self, until):
        while time.monotonic() < until:
            t = time.monotonic()
            body = self.get("/console/")
            self.times["home"].append(time.monotonic() - t)
            m = NEXT_RE.search(body)
            if m is None:
                self.errors += 1
                continue
            t = time.monotonic()
            self.get("/console/?next=" + m.group(1))
            self.times["page"].append(time.monotonic() - t)


def walk_all(client):
    """Every page of the list in turn: (pages, pools, seconds)."""
    t = time.monotonic()
    path, pages, pools = "/console/", 0, 0
    while path is not None:
        body = client.get(path)
        pages += 1
        pools += len(re.findall(r'<a href="/console/pools/[^"]+">', body))
        m = NEXT_RE.search(body)
        path = "/console/?next=" + m.group(1) if m else None
    return pages, pools, time.monotonic() - t


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    nclients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    npools = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    srv = Server(own_cluster=True)
    srv.extra_args = ["--log_level=" + os.environ.get("BENCH_LOG_LEVEL",
                                                      "warn")]
    srv.start()
    try:
        load_pools(srv, npools)
        clients = [Client(srv) for _ in range(nclients)]
        pages, pools, took = walk_all(clients[0])
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=c.run, args=(until,))
                   for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        errors = sum(c.errors for c in clients)
        print("bench: %d pools, %.0f s, %d clients, %d errors"
              % (npools, seconds, nclients, errors))
        for name in ("home", "page"):
            xs = [x for c in clients for x in c.times[name]]
            print("%s %.1f pages/s p50 %.1f ms p99 %.1f ms (%d pages)" % (
                name, len(xs) / seconds,
                statistics.median(xs) * 1000 if xs else 0,
                percentile(xs, 0.99), len(xs)))
        print("all %d pages listing %d pools in %.0f ms"
              % (pages, pools, took * 1000))
    finally:
        srv.stop()
        srv.cleanup()


if __name__ == "__main__":
    main()
