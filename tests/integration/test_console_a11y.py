"""The admin console's accessibility (issue 12): axe-core, from npm, run
in headless Chromium (tests/clients/console_axe.js) over every console
page reachable by links from the pool list, for a pool with an app
client, a domain, a user and a group, and over the sign-in form signed
out; no serious or critical violation anywhere. The pages of every
console file are found by crawling, so a new page is checked as soon as
something links to it. No screenshots: the crawl is checked, not
looked at (the seed replays save theirs)."""

import json
import os
import re

from conftest import REPO, make_user
from test_npm_clients import App, node  # noqa: F401 (a fixture)


def test_no_serious_violation_on_any_page(server, node, make_pool,  # noqa: F811
                                          idp):
    app = App(server, make_pool, idp)
    pid = app.pool_id
    idp.create_user_pool_domain(UserPoolId=pid, Domain="a11y-%s" %
                                pid.split("_")[1].lower()[:20])
    make_user(idp, pid, email="a11y@example.com")
    idp.create_group(UserPoolId=pid, GroupName="readers")
    # The pool page and every section of pool_nav.html, linked or not.
    with open(os.path.join(REPO, "templates", "console",
                           "pool_nav.html")) as f:
        sections = re.findall(r'href="\{\{base\}\}/pools/\{\{pool.id\}\}'
                              r'([^"]*)"', f.read())
    start = ["/console/pools/%s%s" % (pid, s) for s in sections]
    r = app.run(node, "console_axe.js", "axe", timeout=900,
                base=server.https, stateDir=server.state_dir,
                start=start)
    out = r.value("signedOut")
    assert out["form"] == [] and out["wrongPassword"] == [], out
    pages = r.value("pages")
    for p in ["/console/", "/console/settings", "/console/audit"] + start:
        assert p in pages, sorted(pages)
    assert len(start) == 16
    bad = {p: v["violations"] for p, v in pages.items() if v["violations"]}
    assert not bad, json.dumps(bad, indent=1)
    assert all(v["status"] < 500 for v in pages.values()), pages
