#!/usr/bin/env bash
# oauth.sh: the OAuth2 endpoints of a pool domain (reached by path,
# /<prefix>/oauth2/...) under load, on one userpoold on loopback.
#
#   - POST /oauth2/token, grant_type=client_credentials, HTTP Basic
#     client authentication, a confidential client with the custom scope
#     api/read (one RS256 signature each), over HTTP and HTTPS;
#   - POST /oauth2/token, grant_type=authorization_code: every exchange
#     needs a fresh code, so the codes are made beforehand in bulk
#     (tests/bench/oauth_codes.py reproduces the daemon's HMAC digest of
#     a code under the state directory's master key; the rows go into
#     oauth_codes with COPY) and wrk sends each once
#     (tests/bench/codes.lua); two RS256 signatures and a refresh token
#     each;
#   - GET /oauth2/userInfo with one bearer access token (scope openid
#     email) from a first exchange;
#   - GET /<pool>/.well-known/openid-configuration;
# all with wrk on the plain-HTTP listener unless named -https.
#
# Prints req/s, latency percentiles and non-2xx counts for each, the
# resident memory of each worker idle and at its peak (VmHWM), the raw
# RSA-2048 sign rate of this machine (openssl speed, one core and all
# cores) and the client_credentials targets: at least 2,200/s, and at
# least half the all-core RSA-2048 sign rate.
#
# Environment as in lib.sh, plus BENCH_CODES (how many authorization
# codes to make; default the all-core RSA-2048 sign rate times the run's
# seconds, twice what the exchanges could use).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
trap 'echo "bench: oauth.sh failed at line $LINENO; the log ends:" >&2
tail -n 20 "$state/userpoold.log" >&2' ERR

py=/usr/bin/python3
prefix=bench-oauth
redirect_uri=https://bench.example/callback
password='Bench-passw0rd!'
http=http://127.0.0.1:$http_port
https_ip=https://127.0.0.1:$https_port
aws_idp() {
	/usr/bin/aws cognito-idp "$@" --endpoint-url "$https"
}

# sql STATEMENT: run SQL in the embedded database (stdin goes to psql).
sql() {
	runuser -u postgres -- psql -h "$state/pg/run" -d userpoold -qAt \
	    -v ON_ERROR_STOP=1 -c "$1"
}

# seconds DURATION: wrk's duration (10s, 2m, 1h or a bare number) in s.
seconds() {
	case $1 in
	*s) echo "${1%s}" ;;
	*m) echo $((${1%m} * 60)) ;;
	*h) echo $((${1%h} * 3600)) ;;
	*) echo "$1" ;;
	esac
}

# rsa_speed [PROCS]: RSA-2048 signatures per second (openssl speed),
# on one core, or with -multi PROCS processes at once.
rsa_speed() {
	local multi=()
	[ -z "${1:-}" ] || multi=(-multi "$1")
	openssl speed -seconds 3 "${multi[@]}" rsa2048 2>/dev/null |
	    awk '/^rsa 2048 bits/ { r = $6 } END { print r }'
}

# rps WRK-OUTPUT: the Requests/sec of a wrk run.
rps() {
	awk '/^Requests\/sec:/ { print $2 }' "$1"
}

# The machine's raw RSA-2048 signing rate, measured first (the daemon is
# idle meanwhile) because it sizes the batch of authorization codes.
echo "bench: openssl speed -seconds 3 rsa2048 (one core, then all $(nproc))"
rsa_one=$(rsa_speed)
rsa_all=$(rsa_speed "$(nproc)")
echo "bench: RSA-2048 sign/s: $rsa_one on one core, $rsa_all on all cores"

# A pool with a domain, a resource server, a user and two confidential
# clients: one for client_credentials, one for the code flow.
pool_id=$(aws_idp create-user-pool --pool-name bench-oauth \
    --auto-verified-attributes email --query UserPool.Id --output text)
aws_idp create-user-pool-domain --user-pool-id "$pool_id" \
    --domain "$prefix" >/dev/null
aws_idp create-resource-server --user-pool-id "$pool_id" --identifier api \
    --name api --scopes ScopeName=read,ScopeDescription=read >/dev/null
read -r m2m_id m2m_secret < <(aws_idp create-user-pool-client \
    --user-pool-id "$pool_id" --client-name machine --generate-secret \
    --allowed-o-auth-flows client_credentials \
    --allowed-o-auth-scopes api/read --allowed-o-auth-flows-user-pool-client \
    --query 'UserPoolClient.[ClientId,ClientSecret]' --output text)
read -r web_id web_secret < <(aws_idp create-user-pool-client \
    --user-pool-id "$pool_id" --client-name web --generate-secret \
    --allowed-o-auth-flows code --allowed-o-auth-scopes openid email \
    --allowed-o-auth-flows-user-pool-client \
    --callback-urls "$redirect_uri" --supported-identity-providers COGNITO \
    --query 'UserPoolClient.[ClientId,ClientSecret]' --output text)
aws_idp admin-create-user --user-pool-id "$pool_id" --username bench \
    --user-attributes Name=email,Value=bench@example.com \
    Name=email_verified,Value=true --message-action SUPPRESS >/dev/null
aws_idp admin-set-user-password --user-pool-id "$pool_id" --username bench \
    --password "$password" --permanent
sub=$(sql "SELECT sub FROM users WHERE pool_id = '$pool_id' AND
    username = 'bench'")
echo "bench: pool $pool_id, domain /$prefix, clients $m2m_id" \
    "(client_credentials) and $web_id (code), user sub $sub"

# basic ID SECRET: an HTTP Basic header value (RFC 6749 §2.3.1: each part
# form-urlencoded first).
basic() {
	$py -c 'import base64, sys, urllib.parse as u
print("Basic " + base64.b64encode(("%s:%s" % (u.quote(sys.argv[1], safe=""),
    u.quote(sys.argv[2], safe=""))).encode()).decode())' "$1" "$2"
}
m2m_basic=$(basic "$m2m_id" "$m2m_secret")
web_basic=$(basic "$web_id" "$web_secret")
redirect_enc=$($py -c 'import sys, urllib.parse as u
print(u.quote(sys.argv[1], safe=""))' "$redirect_uri")

# request FILE METHOD BODY HEADER...: a request file for wrk.
request() {
	local f=$1 m=$2 b=$3 h
	shift 3
	{
		echo "$m"
		for h in "$@"; do
			echo "$h"
		done
		echo
		printf '%s' "$b"
	} >"$f"
}
form='Content-Type: application/x-www-form-urlencoded'
request "$state/req-cc" POST 'grant_type=client_credentials&scope=api%2Fread' \
    "$form" "Authorization: $m2m_basic"
request "$state/req-code" POST '' "$form" "Authorization: $web_basic"

# One client_credentials grant by hand, to fail early and clearly.
token=$prefix/oauth2/token
curl -sf -o /dev/null "$http/$token" -H "$form" \
    -H "Authorization: $m2m_basic" \
    -d 'grant_type=client_credentials&scope=api%2Fread' || {
	echo "bench: client_credentials grant failed:" >&2
	curl -s "$http/$token" -H "$form" -H "Authorization: $m2m_basic" \
	    -d 'grant_type=client_credentials&scope=api%2Fread' >&2
	exit 1
}

# The authorization codes: BENCH_CODES of them, plus one exchanged here
# (checking the digest matches the daemon's), whose access token serves
# the userInfo run.
secs=$(seconds "$duration")
ncodes=${BENCH_CODES:-$($py -c 'import math, sys
print(max(1000, math.ceil(float(sys.argv[1]) * float(sys.argv[2]))))' \
    "${rsa_all:-2000}" "$secs")}
echo "bench: making $ncodes authorization codes"
first=$($py "$top/tests/bench/oauth_codes.py" "$state/master.key" \
    "$pool_id" "$web_id" "$sub" "$redirect_uri" "openid email" "$ncodes" \
    "$state/codes" "$state/codes.csv" 3600)
sql "COPY oauth_codes (code_hash, pool_id, client_id, sub, redirect_uri,
    scopes, nonce, code_challenge, auth_time, origin_jti, expires_at)
    FROM STDIN WITH (FORMAT csv)" <"$state/codes.csv"
sql "ANALYZE oauth_codes"
tokens=$(curl -sS "$http/$token" -H "$form" -H "Authorization: $web_basic" \
    -d "grant_type=authorization_code&code=$first&redirect_uri=$redirect_enc")
access=$($py -c 'import json, sys
t = json.loads(sys.argv[1])
if "access_token" not in t or "id_token" not in t:
    sys.exit("bench: the first code exchange failed: %s" % sys.argv[1])
print(t["access_token"])' "$tokens")
request "$state/req-userinfo" GET '' "Authorization: Bearer $access"
curl -sf -o /dev/null "$http/$prefix/oauth2/userInfo" \
    -H "Authorization: Bearer $access" || {
	echo "bench: userInfo with the first access token failed" >&2
	exit 1
}

pids=$(worker_pids)
declare -A idle
for p in $pids; do
	idle[$p]=$(mem VmRSS "$p")
done

run client-creds-http "$http/$token" "$state/req-cc"
run client-creds-https "$https_ip/$token" "$state/req-cc"

# The code exchanges: wrk with codes.lua, each code sent once.
echo "bench: code-exchange-http: wrk -t$threads -c$conns -d$duration" \
    "$http/$token ($ncodes codes)"
BENCH_REQUEST=$state/req-code BENCH_CODES=$state/codes \
    BENCH_NTHREADS=$threads BENCH_REDIRECT_URI=$redirect_enc \
    wrk -t"$threads" -c"$conns" -d"$duration" --timeout 5s --latency \
    -s "$top/tests/bench/codes.lua" "$http/$token" >"$state/wrk-code.out"
result code-exchange-http "$state/wrk-code.out"
used=$(sql "SELECT count(*) FROM oauth_codes WHERE pool_id = '$pool_id'
    AND used_at IS NOT NULL")

run userinfo-http "$http/$prefix/oauth2/userInfo" "$state/req-userinfo"
run discovery-http "$http/$pool_id/.well-known/openid-configuration"

print_results
echo "(wrk is the client, on the same cores; code-exchange-http used" \
    "$((used - 1)) of $ncodes fresh codes, one each, made beforehand" \
    "with SQL)"
echo
printf '%-10s %14s %14s\n' worker "idle RSS KiB" "peak RSS KiB"
for p in $pids; do
	printf '%-10s %14s %14s\n' "$p" "${idle[$p]:-?}" "$(mem VmHWM "$p")"
done
printf '%-10s %14s %14s\n' "supervisor" "" "$(mem VmHWM "$pid")"
echo
$py -c 'import sys
one, multi, n = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
half = multi / 2
print("RSA-2048 by OpenSSL libcrypto (openssl speed -seconds 3 rsa2048): "
      "%.1f sign/s on one core, %.1f sign/s on all %s cores at once" %
      (one, multi, n))
print("client_credentials targets: >= 2200/s and >= %.1f/s (half the "
      "all-core sign rate)" % half)
for name, r in zip(("client-creds-http", "client-creds-https"),
                   sys.argv[4:6]):
    r = float(r or 0)
    print("  %-20s %10.1f/s  %s" % (name, r, "met" if r >= 2200 and
          r >= half else "NOT met"))' "${rsa_one:-0}" "${rsa_all:-0}" \
    "$(nproc)" "$(rps "$state/wrk-client-creds-http.out")" \
    "$(rps "$state/wrk-client-creds-https.out")"
