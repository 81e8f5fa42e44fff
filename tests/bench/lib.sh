# lib.sh: what the benchmark scripts share. Sourced by bench.sh and
# users.sh: finds the binary, starts one daemon on loopback with a fresh
# state directory (embedded PostgreSQL), stops it on exit, and runs wrk
# against it, collecting one result line per run.
#
# Environment: USERPOOLD_BIN (default build/src/userpoold, else
# src/userpoold), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (50), BENCH_WORKERS (2), BENCH_LOG_LEVEL (warn),
# BENCH_ARGS (extra daemon arguments), KEEP_STATE_DIR.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${USERPOOLD_BIN:-}
if [ -z "$bin" ]; then
	for b in "$top/build/src/userpoold" "$top/src/userpoold"; do
		if [ -x "$b" ]; then
			bin=$b
			break
		fi
	done
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "bench: no userpoold binary; build first or set USERPOOLD_BIN" >&2
	exit 1
fi
duration=${BENCH_DURATION:-10s}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNECTIONS:-50}
workers=${BENCH_WORKERS:-2}
loglevel=${BENCH_LOG_LEVEL:-warn}
for tool in wrk curl /usr/bin/aws /usr/bin/python3; do
	command -v "$tool" >/dev/null || {
		echo "bench: $tool is missing (see contrib/deps.sh)" >&2
		exit 1
	}
done

# The daemon rejects USERPOOLD_* variables it does not know.
for v in $(compgen -e); do
	case $v in USERPOOLD_*) unset "$v" ;; esac
done

state=$(mktemp -d /tmp/userpoold-bench-XXXXXX)
chmod 755 "$state"
read -r https_port http_port < <(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
https=https://localhost:$https_port
pid=

cleanup() {
	local i
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for i in $(seq 200); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	if [ -f "$state/pg/data/postmaster.pid" ]; then
		runuser -u postgres -- \
		    "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" \
		    -D "$state/pg/data" -m immediate stop >/dev/null 2>&1 || true
	fi
	if [ -z "${KEEP_STATE_DIR:-}" ]; then
		rm -rf "$state"
	else
		echo "state directory kept: $state"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Every request of a benchmark comes from one address: the per-address
# limits (when the build has them) would measure themselves, not the path.
limits=""
if "$bin" --print-config-example 2>/dev/null | grep -q '^#address_rate ='; then
	limits="--address_rate=0"
fi

"$bin" --state_dir="$state" --listen_https="127.0.0.1:$https_port" \
    --listen_http="127.0.0.1:$http_port" --public_url="$https" \
    --workers="$workers" --log_level="$loglevel" $limits ${BENCH_ARGS:-} \
    >"$state/userpoold.log" 2>&1 </dev/null &
pid=$!

echo "bench: starting $bin (state in $state)"
for i in $(seq 300); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "bench: userpoold exited during start-up:" >&2
		tail -n 40 "$state/userpoold.log" >&2
		exit 1
	fi
	if [ -f "$state/tls/cert.pem" ] && curl -sf -o /dev/null \
	    --cacert "$state/tls/cert.pem" "$https/health"; then
		break
	fi
	if [ "$i" -eq 300 ]; then
		echo "bench: no answer from /health within 60 s:" >&2
		tail -n 40 "$state/userpoold.log" >&2
		exit 1
	fi
	sleep 0.2
done

export AWS_SHARED_CREDENTIALS_FILE=$state/aws-credentials
export AWS_CONFIG_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1
export AWS_CA_BUNDLE=$state/tls/cert.pem AWS_PAGER=
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
worker_pids() {
	local exe p
	exe=$(readlink -f "$bin")
	for p in $(ps -o pid= --ppid "$pid"); do
		if [ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$exe" ]; then
			echo "$p"
		fi
	done
}

# mem FIELD PID: a /proc/PID/status field in KiB.
mem() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status" 2>/dev/null
}

# sign URL FILE: write a signed DescribeUserPool request for wrk.
sign() {
	/usr/bin/python3 - "$1" "$2" "$pool_id" <<'EOF'
import configparser, json, os, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, out, pool = sys.argv[1:4]
cp = configparser.ConfigParser()
cp.read(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
sec = cp["default"]
body = json.dumps({"UserPoolId": pool})
req = AWSRequest(method="POST", url=url, data=body, headers={
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AWSCognitoIdentityProviderService.DescribeUserPool"})
SigV4Auth(Credentials(sec["aws_access_key_id"], sec["aws_secret_access_key"]),
          "cognito-idp", "us-east-1").add_auth(req)
host = url.split("/")[2]
with open(out, "w") as f:
    f.write("POST\nHost: %s\n" % host)
    for k, v in req.headers.items():
        f.write("%s: %s\n" % (k, v))
    f.write("\n" + body)
EOF
}

results=()

# run NAME URL [signed | REQUEST-FILE | SCRIPT.lua]: one wrk run; appends
# a result line. A request file holds the method, header lines, an empty
# line and the body (tests/bench/signed.lua replays it); a script makes
# the requests itself.
run() {
	local name=$1 url=$2 out=$state/wrk-$1.out args=() req=$state/req-$1
	local script=$top/tests/bench/signed.lua
	case ${3:-} in
	signed) sign "$url" "$req" ;;
	'') ;;
	*.lua) script=$3 ;;
	*) req=$3 ;;
	esac
	[ -z "${3:-}" ] || args=(-s "$script")
	echo "bench: $name: wrk -t$threads -c$conns -d$duration $url"
	measure_start "$name"
	BENCH_REQUEST=$req wrk -t"$threads" -c"$conns" \
	    -d"$duration" --timeout 5s --latency "${args[@]}" "$url" >"$out"
	result "$name" "$out" "$(measure_cpu "$(awk '/requests in/ { print $1 }' "$out")")"
}

# measure_start NAME: note the CPU time userpoold and its PostgreSQL
# have used so far (measure_cpu turns it into ms per request), and with
# BENCH_PERF_DIR set, record a system-wide perf profile (call graphs) of
# the next $duration in BENCH_PERF_DIR/NAME.data, to see where a path's
# CPU goes (perf report -i FILE --sort comm,dso).
profile_pid=
cpu_at=
measure_start() {
	cpu_at="$(tree_ticks "$pid") $(tree_ticks "$(pg_pid)")"
	[ -n "${BENCH_PERF_DIR:-}" ] || return 0
	perf record -a -g -o "$BENCH_PERF_DIR/$1.data" -- \
	    sleep "${duration%s}" >/dev/null 2>&1 &
	profile_pid=$!
}

# measure_cpu REQUESTS: "server-ms db-ms", the CPU time per request of
# userpoold (all its processes) and of PostgreSQL since measure_start.
measure_cpu() {
	local now
	now="$(tree_ticks "$pid") $(tree_ticks "$(pg_pid)")"
	if [ -n "$profile_pid" ]; then
		wait "$profile_pid" || true
		profile_pid=
	fi
	awk -v a="$cpu_at" -v b="$now" -v n="$1" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { split(a, x); split(b, y); if (n < 1) n = 1
		printf "%.3f %.3f", (y[1] - x[1]) * 1000 / hz / n,
		    (y[2] - x[2]) * 1000 / hz / n }'
}

# tree_ticks PID: utime + stime of PID and all its descendants, in ticks.
tree_ticks() {
	local p=$1 c t=0
	[ -n "$p" ] && [ -r "/proc/$p/stat" ] || { echo 0; return; }
	t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" \
	    2>/dev/null || echo 0)
	for c in $(ps -o pid= --ppid "$p"); do
		t=$((t + $(tree_ticks "$c")))
	done
	echo "$t"
}

# pg_pid: the embedded PostgreSQL's postmaster.
pg_pid() {
	head -n 1 "$state/pg/data/postmaster.pid" 2>/dev/null || true
}

# result NAME WRK-OUTPUT CPU: append the result line of a wrk run (CPU
# as measure_cpu prints it).
result() {
	local rps p50 p99 non2xx errors
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$2")
	p50=$(awk '$1 == "50%" { print $2 }' "$2")
	p99=$(awk '$1 == "99%" { print $2 }' "$2")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$2")
	errors=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$2")
	results+=("$(printf '%-22s %12s %10s %10s %10s %7s %7s  %s' "$1" \
	    "${rps:-?}" "${p50:-?}" "${p99:-?}" "${non2xx:-0}" \
	    ${3:-- -} "${errors:-}")")
}

# print_results: the table of every result line so far.
print_results() {
	local r
	echo
	echo "userpoold on 127.0.0.1, $workers workers; wrk -t$threads" \
	    "-c$conns -d$duration on the same $(nproc)-core machine"
	printf '%-22s %12s %10s %10s %10s %7s %7s  %s\n' test req/s p50 p99 \
	    non-2xx srv-ms db-ms "socket errors"
	for r in "${results[@]}"; do
		echo "$r"
	done
}
