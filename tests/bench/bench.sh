#!/usr/bin/env bash
# bench.sh: throughput, tail latency and memory of one userpoold on
# loopback. Starts a daemon like the integration tests do (fresh state
# directory, embedded PostgreSQL, HTTPS and plain-HTTP listeners on
# 127.0.0.1), creates a pool with the AWS CLI, then runs wrk for a
# bounded time against:
#   - GET /<pool>/.well-known/jwks.json over HTTP and HTTPS (keep-alive);
#   - DescribeUserPool, a SigV4-signed POST, over HTTP and HTTPS: botocore
#     signs one request right before each run and wrk replays it
#     (tests/bench/signed.lua);
# and prints req/s, p99 latency and non-2xx counts for each, and the
# resident memory of each worker idle and at its peak (VmHWM).
#
# Environment: USERPOOLD_BIN (default build/src/userpoold, else
# src/userpoold), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (50), BENCH_WORKERS (2), BENCH_LOG_LEVEL (warn).
# Needs wrk, curl, awscli and python3-boto3 (contrib/deps.sh DEPS_TEST).
set -euo pipefail

. "$(dirname "$0")/lib.sh"

pool_id=$(/usr/bin/aws cognito-idp create-user-pool --pool-name bench \
    --endpoint-url "$https" --query UserPool.Id --output text)
echo "bench: pool $pool_id"

pids=$(worker_pids)
declare -A idle
for p in $pids; do
	idle[$p]=$(mem VmRSS "$p")
done

run jwks-http "http://127.0.0.1:$http_port/$pool_id/.well-known/jwks.json"
run jwks-https "https://127.0.0.1:$https_port/$pool_id/.well-known/jwks.json"
run describe-http "http://127.0.0.1:$http_port/" signed
run describe-https "https://127.0.0.1:$https_port/" signed

print_results
echo
printf '%-10s %14s %14s\n' worker "idle RSS KiB" "peak RSS KiB"
for p in $pids; do
	printf '%-10s %14s %14s\n' "$p" "${idle[$p]:-?}" "$(mem VmHWM "$p")"
done
printf '%-10s %14s %14s\n' "supervisor" "" "$(mem VmHWM "$pid")"
