#!/usr/bin/env bash
# users.sh: sign-in, refresh and GetUser throughput of one userpoold on
# loopback, and sign-in latency against the size of the pool.
#
#   - InitiateAuth USER_PASSWORD_AUTH at the configured scrypt cost, with
#     a paced JWKS probe beside it (tests/bench/probe.py, 50 requests a
#     second on one connection) whose p99 shows whether cheap requests
#     still get through while the hashing runs;
#   - USER_SRP_AUTH sign-ins (tests/bench/srp_load.py as the client), with
#     the same probe beside them;
#   - InitiateAuth REFRESH_TOKEN_AUTH (two RS256 signatures each);
#   - GetUser with an access token (one RS256 verification each);
#   - sign-in latency (one connection) with 1,000 and with 1,000,000
#     users in the pool (BENCH_BIG_USERS; users are inserted with SQL).
#
# Prints req/s and latency percentiles for each, and what the same
# libscrypt does alone on this machine (tests/bench/scrypt_time.py): the
# time of one hash and the hashes per second of all cores at once, whose
# 85 % is the sign-in target. Environment as in lib.sh,
# plus BENCH_BIG_USERS (1000000).
set -euo pipefail

. "$(dirname "$0")/lib.sh"

big=${BENCH_BIG_USERS:-1000000}
py=/usr/bin/python3
aws_idp() {
	/usr/bin/aws cognito-idp "$@" --endpoint-url "$https"
}

pool_id=$(aws_idp create-user-pool --pool-name bench --query UserPool.Id \
    --output text)
client_id=$(aws_idp create-user-pool-client --user-pool-id "$pool_id" \
    --client-name bench --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH \
    ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH --query UserPoolClient.ClientId --output text)
password='Bench-passw0rd!'
aws_idp admin-create-user --user-pool-id "$pool_id" --username bench \
    --message-action SUPPRESS >/dev/null
aws_idp admin-set-user-password --user-pool-id "$pool_id" --username bench \
    --password "$password" --permanent
echo "bench: pool $pool_id, client $client_id"

# request FILE TARGET JSON: an unsigned JSON API request for wrk.
request() {
	{
		printf 'POST\nHost: 127.0.0.1\n'
		printf 'Content-Type: application/x-amz-json-1.1\n'
		printf 'X-Amz-Target: AWSCognitoIdentityProviderService.%s\n\n' "$2"
		printf '%s' "$3"
	} >"$1"
}

auth='{"ClientId":"'$client_id'","AuthFlow":"USER_PASSWORD_AUTH",'
auth+='"AuthParameters":{"USERNAME":"bench","PASSWORD":"'$password'"}}'
request "$state/req-signin" InitiateAuth "$auth"
tokens=$(curl -sf --cacert "$state/tls/cert.pem" "$https/" \
    -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \
    -d "$auth")
refresh=$($py -c 'import json,sys; print(json.loads(sys.argv[1])
    ["AuthenticationResult"]["RefreshToken"])' "$tokens")
access=$($py -c 'import json,sys; print(json.loads(sys.argv[1])
    ["AuthenticationResult"]["AccessToken"])' "$tokens")
request "$state/req-refresh" InitiateAuth '{"ClientId":"'$client_id'",
"AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"'$refresh'"}}'
request "$state/req-getuser" GetUser '{"AccessToken":"'$access'"}'

http=http://127.0.0.1:$http_port/
jwks=http://127.0.0.1:$http_port/$pool_id/.well-known/jwks.json

# probe NAME: start the paced JWKS probe (tests/bench/probe.py) beside a
# run; probe_result NAME adds its line once the run is over.
probe() {
	$py "$top/tests/bench/probe.py" "$jwks" "${duration%s}" \
	    >"$state/probe-$1.json" &
	probe_pid=$!
}
probe_result() {
	wait "$probe_pid"
	results+=("$($py -c 'import json, sys
r = json.load(open(sys.argv[2]))
print("%-22s %12s %10s %10s %10s %7s %7s  max %sms, failures %d" % (
    sys.argv[1], "%d req" % r["requests"], "%sms" % r["p50_ms"],
    "%sms" % r["p99_ms"], 0, "-", "-", r["max_ms"], r["failures"]))' "$1" "$state/probe-$1.json")")
}

# Sign-ins with a paced JWKS probe beside them.
probe jwks-during-signin
run signin "$http" "$state/req-signin"
probe_result jwks-during-signin
# SRP sign-ins (two round trips each; the client side is Python's modular
# arithmetic on the same cores, run at nice 5 like the daemon's crypto
# threads so the clients do not starve the daemon's event loop and the
# probe measures the daemon), with the probe beside them.
probe jwks-during-srp
echo "bench: srp-signin: tests/bench/srp_load.py, 4 processes, $duration"
srp=$(nice -n 5 $py "$top/tests/bench/srp_load.py" "$https" "$state/tls/cert.pem" \
    "$client_id" "$pool_id" bench "$password" "${duration%s}" 4)
results+=("$($py -c 'import json, sys
r = json.loads(sys.argv[1])
print("%-22s %12s %10s %10s %10s  failures %d" % ("srp-signin",
    r["per_second"], "%sms" % r["p50_ms"], "%sms" % r["p99_ms"], 0,
    r["failures"]))' "$srp")")
probe_result jwks-during-srp
run refresh "$http" "$state/req-refresh"
run getuser "$http" "$state/req-getuser"

# sql STATEMENT: run SQL in the embedded database.
sql() {
	runuser -u postgres -- psql -h "$state/pg/run" -d userpoold -qAt \
	    -v ON_ERROR_STOP=1 -c "$1"
}

# add_users N: fill the pool up to N users (same hash, distinct names).
add_users() {
	sql "INSERT INTO users (pool_id, sub, username, username_key, status,
	    attributes, password_hash) SELECT '$pool_id', gen_random_uuid(),
	    'u' || i, 'u' || i, 'CONFIRMED', jsonb_build_object('email',
	    'u' || i || '@example.com', 'email_verified', 'true'),
	    password_hash FROM generate_series((SELECT count(*) FROM users
	    WHERE pool_id = '$pool_id'), $1 - 1) i, (SELECT password_hash FROM
	    users WHERE pool_id = '$pool_id' AND username = 'bench') h"
	sql "ANALYZE users"
}

saved=$conns
conns=1
threads=1
add_users 1000
run "signin-1k-users" "$http" "$state/req-signin"
echo "bench: inserting $big users (this takes a while)"
add_users "$big"
run "signin-$((big / 1000))k-users" "$http" "$state/req-signin"
conns=$saved

print_results
scrypt=$($py "$top/tests/bench/scrypt_time.py" 14 8 1)
$py -c 'import json, sys
r = json.loads(sys.argv[1])
print("scrypt (N=2^14, r=8, p=1) by libscrypt: %s ms for one hash alone, "
      "%s hashes/s on all %s cores at once;\nsign-in target 85 %% of that "
      "= %.1f/s" % (r["alone_ms"], r["all_cores_per_second"], sys.argv[2],
                    0.85 * r["all_cores_per_second"]))' "$scrypt" "$(nproc)"
echo "users in the pool: $(sql "SELECT count(*) FROM users WHERE pool_id = '$pool_id'")"
