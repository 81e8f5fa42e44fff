#!/usr/bin/env bash
# paths.sh: the six hot paths of sign-in and token issue on one userpoold,
# one figure each, for comparing two builds (tests/bench/compare.sh):
#
#   password-signin   InitiateAuth USER_PASSWORD_AUTH (scrypt at the
#                     configured cost), wrk on BENCH_SIGNIN_CONNECTIONS
#                     (8) connections, as one user per connection
#                     (tests/bench/signin_users.lua), so the lockout's
#                     count of attempts in flight per user stays out of
#                     the figure;
#   srp-signin        USER_SRP_AUTH, both round trips, by
#                     tests/bench/srp_load.py (Python clients, nice 5);
#   refresh           InitiateAuth REFRESH_TOKEN_AUTH, wrk;
#   getuser           GetUser with an access token, wrk;
#   client-creds      POST /<prefix>/oauth2/token client_credentials, wrk;
#   login-get         GET /<prefix>/login?client_id=...&response_type=code
#                     &redirect_uri=... (the hosted sign-in page), wrk.
#
# Prints one line per path, "name req/s p99", after lib.sh's table.
# Every request comes from 127.0.0.1, so the per-address limits a build
# has are raised through BENCH_ARGS when that build knows their keys.
# Environment as in lib.sh.
set -euo pipefail

# Per-address limits would throttle the load generator itself: raise
# those this binary has (an unknown key would stop its start-up).
bin_keys=$("${USERPOOLD_BIN:-build/src/userpoold}" --print-config-example \
    2>/dev/null || true)
for kv in signin_rate_per_address=1000000 address_rate=1000000 \
    address_burst=1000000; do
	if grep -q "^#* *${kv%%=*} *=" <<<"$bin_keys"; then
		BENCH_ARGS="${BENCH_ARGS:-} --$kv"
	fi
done
export BENCH_ARGS

. "$(dirname "$0")/lib.sh"

py=/usr/bin/python3
prefix=bench-paths
redirect_uri=https://bench.example/callback
password='Bench-passw0rd!'
http=http://127.0.0.1:$http_port
aws_idp() {
	/usr/bin/aws cognito-idp "$@" --endpoint-url "$https"
}
json_field() {
	$py -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v[k]
print(v)' "$@"
}

pool_id=$(aws_idp create-user-pool --pool-name bench-paths \
    --query UserPool.Id --output text)
aws_idp create-user-pool-domain --user-pool-id "$pool_id" \
    --domain "$prefix" >/dev/null
aws_idp create-resource-server --user-pool-id "$pool_id" --identifier api \
    --name api --scopes ScopeName=read,ScopeDescription=read >/dev/null
client_id=$(aws_idp create-user-pool-client --user-pool-id "$pool_id" \
    --client-name app --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH \
    ALLOW_USER_SRP_AUTH ALLOW_REFRESH_TOKEN_AUTH \
    --allowed-o-auth-flows code --allowed-o-auth-scopes openid \
    --allowed-o-auth-flows-user-pool-client \
    --callback-urls "$redirect_uri" --supported-identity-providers COGNITO \
    --query UserPoolClient.ClientId --output text)
read -r m2m_id m2m_secret < <(aws_idp create-user-pool-client \
    --user-pool-id "$pool_id" --client-name machine --generate-secret \
    --allowed-o-auth-flows client_credentials \
    --allowed-o-auth-scopes api/read --allowed-o-auth-flows-user-pool-client \
    --query 'UserPoolClient.[ClientId,ClientSecret]' --output text)
aws_idp admin-create-user --user-pool-id "$pool_id" --username bench \
    --message-action SUPPRESS >/dev/null
aws_idp admin-set-user-password --user-pool-id "$pool_id" --username bench \
    --password "$password" --permanent

# One user per wrk connection for password-signin (signin_users.lua).
$py - "$https" "$pool_id" "$password" "$conns" <<'PY'
import sys
import boto3
url, pool_id, password, n = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4])
idp = boto3.client("cognito-idp", endpoint_url=url)
for i in range(n):
    idp.admin_create_user(UserPoolId=pool_id, Username="bench%d" % i,
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="bench%d" % i,
                                Password=password, Permanent=True)
PY

# request FILE METHOD BODY HEADER...: a request file for signed.lua.
request() {
	local f=$1 m=$2 b=$3 h
	shift 3
	{
		echo "$m"
		echo "Host: 127.0.0.1"
		for h in "$@"; do
			echo "$h"
		done
		echo
		printf '%s' "$b"
	} >"$f"
}
api_request() {
	request "$1" POST "$3" 'Content-Type: application/x-amz-json-1.1' \
	    "X-Amz-Target: AWSCognitoIdentityProviderService.$2"
}

auth='{"ClientId":"'$client_id'","AuthFlow":"USER_PASSWORD_AUTH",'
auth+='"AuthParameters":{"USERNAME":"bench","PASSWORD":"'$password'"}}'
api_request "$state/req-signin" InitiateAuth "$auth"
tokens=$(curl -sf "$http/" -H 'Content-Type: application/x-amz-json-1.1' \
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \
    -d "$auth")
refresh=$(json_field "$tokens" AuthenticationResult RefreshToken)
access=$(json_field "$tokens" AuthenticationResult AccessToken)
api_request "$state/req-refresh" InitiateAuth '{"ClientId":"'$client_id'",
"AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"'$refresh'"}}'
api_request "$state/req-getuser" GetUser '{"AccessToken":"'$access'"}'
basic=$($py -c 'import base64, sys
print("Basic " + base64.b64encode(("%s:%s" % tuple(sys.argv[1:3])).encode())
      .decode())' "$m2m_id" "$m2m_secret")
request "$state/req-cc" POST 'grant_type=client_credentials&scope=api%2Fread' \
    'Content-Type: application/x-www-form-urlencoded' "Authorization: $basic"
login="$http/$prefix/login?client_id=$client_id&response_type=code"
login+="&redirect_uri=$($py -c 'import sys, urllib.parse as u
print(u.quote(sys.argv[1], safe=""))' "$redirect_uri")"
curl -sf -o /dev/null "$login" || {
	echo "bench: GET $login failed" >&2
	exit 1
}

# Password sign-ins on fewer connections (BENCH_SIGNIN_CONNECTIONS, 8):
# enough to keep every crypto thread busy, while with 50 each waits
# seconds for scrypt and some pass wrk's timeout, so the figure would
# measure the fairness of the queue rather than the path.
conns=${BENCH_SIGNIN_CONNECTIONS:-8} BENCH_USER_PREFIX=bench \
BENCH_USERS=$conns BENCH_THREADS=$threads BENCH_CLIENT_ID=$client_id \
BENCH_PASSWORD=$password \
    run password-signin "$http/" "$top/tests/bench/signin_users.lua"
echo "bench: srp-signin: tests/bench/srp_load.py, 4 processes, $duration"
measure_start srp-signin
srp=$(nice -n 5 $py "$top/tests/bench/srp_load.py" "$https" \
    "$state/tls/cert.pem" "$client_id" "$pool_id" bench "$password" \
    "${duration%s}" 4)
srp_cpu=$(measure_cpu "$($py -c 'import json, sys
print(int(json.loads(sys.argv[1])["per_second"] * float(sys.argv[2])))' \
    "$srp" "${duration%s}")")
results+=("$($py -c 'import json, sys
r = json.loads(sys.argv[1])
print("%-22s %12s %10s %10s %10s %7s %7s  failures %d" % ("srp-signin",
    r["per_second"], "%sms" % r["p50_ms"], "%sms" % r["p99_ms"], 0,
    *sys.argv[2].split(), r["failures"]))' "$srp" "$srp_cpu")")
run refresh "$http/" "$state/req-refresh"
run getuser "$http/" "$state/req-getuser"
run client-creds "$http/$prefix/oauth2/token" "$state/req-cc"
run login-get "$login"
print_results
