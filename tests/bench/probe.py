"""probe.py: latency of a cheap request while other load runs.

    probe.py URL SECONDS [PER_SECOND]

Sends GET URL over one keep-alive connection PER_SECOND times a second
(50 by default) for SECONDS, paced, so the probe itself costs almost
nothing and does not take CPU from the load it watches (a closed loop
such as wrk -c1 would take a whole core). Prints one JSON line: requests,
failures, and the median, 99th percentile and worst latency in ms.
"""
import http.client
import json
import sys
import time
import urllib.parse


def main():
    url, seconds = sys.argv[1], float(sys.argv[2])
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    lat, failures = [], 0
    start = time.monotonic()
    due = start
    while due - start < seconds:
        time.sleep(max(0.0, due - time.monotonic()))
        t = time.monotonic()
        try:
            conn.request("GET", u.path)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                failures += 1
        except (OSError, http.client.HTTPException):
            failures += 1
            conn.close()
        lat.append((time.monotonic() - t) * 1000)
        due += 1.0 / rate
    lat.sort()
    print(json.dumps({
        "requests": len(lat), "failures": failures,
        "p50_ms": round(lat[len(lat) // 2], 2),
        "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2),
        "max_ms": round(lat[-1], 2)}))


main()
