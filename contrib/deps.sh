# deps.sh: the Debian 12 packages userpoold needs, and a function that
# installs the missing ones. Sourced by contrib/run.sh and contrib/test.sh;
# apt-get runs only when something is missing, so a second run is quiet.

# shellcheck disable=SC2034
# Build and run: compiler, autotools, the libraries, and PostgreSQL for
# the embedded database.
DEPS_BUILD="libevent-dev libmbedtls-dev libjwt-dev libjansson-dev
libscrypt-dev libpq-dev libcurl4-openssl-dev libssl-dev libqrencode-dev
libxml2-dev libxmlsec1-dev zlib1g-dev postgresql check autoconf automake libtool
pkg-config make gcc curl"

# shellcheck disable=SC2034
# Tests on top: the AWS CLI and boto3 as real clients, pytest and xdist
# (test files in parallel), an SMTP sink, clang with libFuzzer, valgrind,
# wrk for the benchmark, Node.js for the npm clients, oathtool for TOTP
# codes, the xmlsec1 and openssl tools that sign the SAML responses of the
# unit tests, and pysaml2 for the SAML identity provider of the federation
# tests (tests/integration/idps/saml_idp.py).
DEPS_TEST="wrk awscli python3-boto3 python3-jwt python3-pytest
python3-pytest-xdist python3-aiosmtpd clang libclang-rt-14-dev valgrind
nodejs oathtool chromium fonts-liberation xmlsec1 openssl python3-pysaml2"
# The npm clients (tests/clients) need npm; a NodeSource nodejs bundles
# its own and conflicts with Debian's package.
command -v npm >/dev/null || DEPS_TEST="$DEPS_TEST npm"

# Print the packages among the arguments that are not installed.
deps_missing() (
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q 'install ok installed'; then
			echo "$p"
		fi
	done
)

# Install the packages among the arguments that are missing.
deps_install() (
	missing=$(deps_missing "$@" | tr '\n' ' ')
	if [ -z "${missing% }" ]; then
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: $missing" >&2
		echo "deps: run this script as root to install them" >&2
		return 1
	fi
	echo "deps: installing $missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || return 1
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing || return 1
)

# Builds live out of tree (build/, build-asan/, build-fuzz/) so that
# several configurations sit side by side; that needs a source tree that
# was never configured in place. DEPS_TOP is the source tree.
DEPS_TOP=${DEPS_TOP:-$(cd "$(dirname "$0")/.." && pwd)}

# Undo an in-place configuration, which would make VPATH builds fail.
build_unconfigure_source() {
	if [ -f "$DEPS_TOP/config.status" ]; then
		echo "build: the source tree is configured in place;" \
		    "running make distclean there first"
		(cd "$DEPS_TOP" && make distclean >/dev/null 2>&1) || {
			rm -f "$DEPS_TOP/config.status" "$DEPS_TOP/Makefile" \
			    "$DEPS_TOP/config.h" "$DEPS_TOP/src/userpoold" \
			    "$DEPS_TOP/src/db/migrations.c"
			# GNU make would find stale objects through VPATH.
			find "$DEPS_TOP/src" "$DEPS_TOP/tests" \
			    \( -name '*.o' -o -name '*.a' \) -delete
		}
	fi
}

# Generate configure when it is missing (or always, with "force").
build_bootstrap() {
	if [ "${1:-}" = force ] || [ ! -x "$DEPS_TOP/configure" ]; then
		(cd "$DEPS_TOP" && autoreconf -fi) || return 1
	fi
}

# build_configure DIR [configure arguments...]: configure in DIR.
build_configure() (
	dir=$DEPS_TOP/$1
	shift
	mkdir -p "$dir" && cd "$dir" && "$DEPS_TOP/configure" "$@"
)

# build_make DIR [targets...]: make in DIR with the two cores we have.
build_make() (
	dir=$DEPS_TOP/$1
	shift
	make -C "$dir" -j2 "$@"
)
