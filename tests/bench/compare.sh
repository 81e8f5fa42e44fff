#!/usr/bin/env bash
# compare.sh: the six hot paths of tests/bench/paths.sh for two builds of
# userpoold in one run on this machine, alternating them so that drift in
# the machine's speed falls on both, and the change of each figure.
#
#   tests/bench/compare.sh BEFORE-BINARY AFTER-BINARY
#
# BENCH_ROUNDS (default 2) runs of each binary, before and after taking
# turns; the table shows the median req/s of each path over its rounds,
# and the median CPU time per request of userpoold and its PostgreSQL
# together (ms): a figure that other load on the machine disturbs less.
# Other environment as in lib.sh (BENCH_DURATION, BENCH_CONNECTIONS...).
set -euo pipefail

if [ $# -ne 2 ]; then
	sed -n '5p' "$0" | sed 's/^# *//' >&2
	exit 2
fi
before=$(readlink -f "$1")
after=$(readlink -f "$2")
rounds=${BENCH_ROUNDS:-2}
here=$(dirname "$0")
out=$(mktemp -d /tmp/userpoold-compare-XXXXXX)
trap 'rm -rf "$out"' EXIT

# one LABEL BINARY ROUND: a run of paths.sh, its table kept.
one() {
	echo "compare: round $3, $1 ($2)"
	USERPOOLD_BIN=$2 bash "$here/paths.sh" >"$out/$1-$3.log" 2>&1 || {
		echo "compare: paths.sh failed for $1; its output ends:" >&2
		tail -n 20 "$out/$1-$3.log" >&2
		exit 1
	}
}
for r in $(seq "$rounds"); do
	one before "$before" "$r"
	one after "$after" "$r"
done

/usr/bin/python3 - "$out" "$rounds" <<'PY'
import statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
paths = ["password-signin", "srp-signin", "refresh", "getuser",
         "client-creds", "login-get"]
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
def figures(label):
    """Median req/s and CPU ms per request (userpoold + PostgreSQL)."""
    got = {p: ([], []) for p in paths}
    for r in range(1, rounds + 1):
        for line in open("%s/%s-%d.log" % (out, label, r)):
            f = line.split()
            if f and f[0] in got and num(f[1]) is not None:
                got[f[0]][0].append(float(f[1]))
                if len(f) > 6 and None not in (num(f[5]), num(f[6])):
                    got[f[0]][1].append(float(f[5]) + float(f[6]))
    med = lambda v: statistics.median(v) if v else 0.0
    return {p: (med(v[0]), med(v[1])) for p, v in got.items()}
def change(b, a):
    return "%+8.1f%%" % ((a - b) / b * 100) if b else "       -"
b, a = figures("before"), figures("after")
print("%-18s %10s %10s %9s %10s %10s %9s" % ("path", "before/s",
      "after/s", "change", "before-ms", "after-ms", "change"))
for p in paths:
    print("%-18s %10.1f %10.1f %s %10.3f %10.3f %s" % (p, b[p][0], a[p][0],
          change(b[p][0], a[p][0]), b[p][1], a[p][1],
          change(b[p][1], a[p][1])))
PY
