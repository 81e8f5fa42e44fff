#!/usr/bin/env bash
# run.sh: the README's first command. Installs what is missing, builds
# userpoold in build/ and starts it in the foreground with the demo pool.
# State (embedded PostgreSQL, certificate, keys) goes to
# $USERPOOLD_STATE_DIR, default ./state; arguments are passed to the
# daemon (e.g. --listen_https=127.0.0.1:9443). Stop it with Ctrl-C.
set -euo pipefail

DEPS_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$DEPS_TOP"
# shellcheck source=contrib/deps.sh
. contrib/deps.sh

# shellcheck disable=SC2086
deps_install $DEPS_BUILD
build_bootstrap if-missing
if [ ! -f build/Makefile ]; then
	build_unconfigure_source
	build_configure build
fi
build_make build

state=${USERPOOLD_STATE_DIR:-$PWD/state}
mkdir -p "$state"
# The embedded PostgreSQL runs as the postgres user, which must be able
# to reach the state directory; under a private home it cannot.
chmod 755 "$state"
if [ "$(id -u)" = 0 ] && [ -z "${USERPOOLD_STATE_DIR:-}" ] &&
    ! runuser -u postgres -- test -x "$state" 2>/dev/null; then
	state=/var/lib/userpoold
	echo "run.sh: the postgres user cannot reach ./state; using $state"
	mkdir -p "$state"
fi

# Work out the address to print from the arguments, if they change it.
listen=0.0.0.0:8443
url=
for a in "$@"; do
	case $a in
	--listen_https=*) listen=${a#--listen_https=} ;;
	--public_url=*) url=${a#--public_url=} ;;
	esac
done
[ -n "$url" ] || url=https://localhost:${listen##*:}

cat <<EOF

userpoold is starting in the foreground (Ctrl-C stops it).

  API endpoint:      $url
  health:            $url/health
  AWS credentials:   $state/aws-credentials  (written on first start)
  CA certificate:    $state/tls/cert.pem      (self-signed on first start)
  demo pool:         my-users-pool, hosted UI domain prefix notes-app

Try, from another shell once it is up:

  export AWS_SHARED_CREDENTIALS_FILE=$state/aws-credentials
  export AWS_CA_BUNDLE=$state/tls/cert.pem
  aws cognito-idp list-user-pools --max-results 10 \\
      --region us-east-1 --endpoint-url $url

EOF

exec build/src/userpoold --state_dir="$state" --demo "$@"
