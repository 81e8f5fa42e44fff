#!/usr/bin/env bash
# test.sh: the README's second command; runs every test.
#
#   contrib/test.sh [--sanitizers] [--no-fuzz]
#
# Installs what is missing, then, each in its own out-of-tree build:
#   build/       --enable-werror: unit tests (Check) and integration tests
#                (pytest, the real daemon on loopback with its embedded
#                PostgreSQL), side by side;
#   build-asan/  with --sanitizers (or SANITIZERS=1): the same two suites on
#                an ASan+UBSan build;
#   build-fuzz/  when clang is there: the libFuzzer targets (built with
#                --enable-werror in the background beside the other
#                stages), each run for a bounded time through
#                tests/fuzz/run.sh.
# The integration test files run in parallel, $TEST_JOBS at a time (3:
# the tests leave a core idle about a quarter of the time; pytest-xdist,
# one daemon per file, one PostgreSQL cluster per run). With
# --sanitizers every test still runs once but no test twice: the
# Node.js and Chromium clients (marked js_clients) on the default build,
# every other test on the ASan+UBSan build, which checks more.
# The source tree itself is never configured (an in-place configuration
# is removed with make distclean first). Extra configure arguments come
# from $CONFIGURE_FLAGS, extra pytest arguments from $PYTEST_ARGS, the
# integration tests' time limit from $TEST_TIMEOUT (3600 s). Each
# stage ends with a line "--- stage: time"; the summary repeats them.
# Exits non-zero when any step fails; the last line is "N passed, N
# failed".
set -uo pipefail

sanitizers=${SANITIZERS:-0}
fuzz=${FUZZ:-1}
for arg in "$@"; do
	case $arg in
	--sanitizers) sanitizers=1 ;;
	--no-fuzz) fuzz=0 ;;
	-h|--help) sed -n '2,26s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "test.sh: unknown argument $arg" >&2; exit 2 ;;
	esac
done

DEPS_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$DEPS_TOP" || exit 1
# shellcheck source=contrib/deps.sh
. contrib/deps.sh

# Python must not litter the source tree, and must be Debian's.
export PYTHONDONTWRITEBYTECODE=1
PYTHON=/usr/bin/python3

passed=0
failed=0
failures=()
stages=()
jobs=${TEST_JOBS:-3}

# stage_done NAME START [PASSED FAILED]: the stage's one-line summary.
stage_done() {
	local line
	line=$(printf '%-34s %5d s' "$1" $((SECONDS - $2)))
	if [ $# -ge 4 ]; then
		line="$line   $3 passed, $4 failed"
	fi
	stages+=("$line")
	echo "--- $line"
}

note_fail() {
	failures+=("$1")
	echo "test.sh: FAILED: $1" >&2
}

banner() {
	echo
	echo "=== $* ==="
}

# Count Check's summary lines ("100%: Checks: N, Failures: F, Errors: E")
# in the unit test logs of build dir $1; prints "passed failed".
count_check() {
	cat "$1"/tests/unit/*.log 2>/dev/null |
	    sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' |
	    awk '{ p += $1 - $2 - $3; f += $2 + $3 } END { print p + 0, f + 0 }'
}

# Count a pytest JUnit XML report; prints "passed failed".
count_junit() {
	"$PYTHON" - "$1" <<'EOF'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 0)
    sys.exit(0)
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
p = f = 0
for s in suites:
    n = int(s.get("tests", 0))
    bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
    p += n - bad - int(s.get("skipped", 0))
    f += bad
print(p, f)
EOF
}

# build_variant NAME DIR [configure arguments...]
build_variant() {
	local name=$1 dir=$2 t0=$SECONDS
	shift 2
	banner "$name: configure and build in $dir/"
	mkdir -p "$dir"
	# shellcheck disable=SC2086
	if ! build_configure "$dir" "$@" ${CONFIGURE_FLAGS:-} \
	    >"$dir/configure.out" 2>&1; then
		tail -n 30 "$dir/configure.out"
		note_fail "$name: configure"
		failed=$((failed + 1))
		stage_done "$name: configure (FAILED)" "$t0"
		return 1
	fi
	if ! build_make "$dir"; then
		note_fail "$name: build"
		failed=$((failed + 1))
		stage_done "$name: build (FAILED)" "$t0"
		return 1
	fi
	stage_done "$name: configure and build" "$t0"
}

# unit_tests_start NAME DIR: make check in the background (it runs one
# test program on one core, beside the integration tests); its output
# goes to DIR/unit-tests.out, its status and time to DIR/unit-tests.rc.
unit_tests_start() {
	local name=$1 dir=$2
	banner "$name: unit tests (make check, in the background)"
	rm -f "$dir"/tests/unit/*.log "$dir/unit-tests.rc"
	(
		t0=$(date +%s)
		build_make "$dir" check >"$dir/unit-tests.out" 2>&1
		echo "$? $(($(date +%s) - t0))" >"$dir/unit-tests.rc"
	) &
	unit_pid=$!
}

# unit_tests_finish NAME DIR: wait for unit_tests_start's run; count it.
unit_tests_finish() {
	local name=$1 dir=$2 rc=1 secs=0 p f
	wait "$unit_pid"
	read -r rc secs <"$dir/unit-tests.rc"
	banner "$name: unit tests (make check)"
	cat "$dir/unit-tests.out" "$dir"/tests/unit/*.log 2>/dev/null
	read -r p f < <(count_check "$dir")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -eq 0 ] || note_fail "$name: unit tests"
	stage_done "$name: unit tests" $((SECONDS - secs)) "$p" "$f"
}

# integration_tests NAME DIR [pytest arguments...]
integration_tests() {
	local name=$1 dir=$2 rc p f xml=$DEPS_TOP/$2/pytest.xml t0=$SECONDS
	local par=()
	shift 2
	banner "$name: integration tests (pytest)"
	rm -f "$xml"
	# Test files in parallel, each in one worker (its module fixtures,
	# its daemon), when pytest-xdist is there.
	if [ "$jobs" -gt 1 ] && "$PYTHON" -c 'import xdist' 2>/dev/null; then
		par=(-n "$jobs" --dist loadfile)
	fi
	# On a timeout ($TEST_TIMEOUT s) pytest gets SIGINT, so it stops
	# its daemons and cluster and still writes what passed and failed.
	# shellcheck disable=SC2086
	USERPOOLD_BIN=$DEPS_TOP/$dir/src/userpoold timeout -s INT -k 120 \
	    "${TEST_TIMEOUT:-3600}" \
	    "$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$xml" \
	    "${par[@]}" "$@" ${PYTEST_ARGS:-} tests/integration
	rc=$?
	read -r p f < <(count_junit "$xml")
	# 5: no tests collected, which is not a failure of the code.
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
		note_fail "$name: integration tests (exit $rc)"
	fi
	stage_done "$name: integration tests" "$t0" "$p" "$f"
}

# fuzz_build_start: build the libFuzzer targets with clang in the
# background, at low priority, beside the tests that follow (they leave
# a core idle much of the time); fuzz_tests waits for it.
fuzz_build_start() {
	fuzz_build_pid=
	if [ "$fuzz" != 1 ] || ! command -v clang >/dev/null ||
	    [ ! -f tests/fuzz/run.sh ]; then
		return 0
	fi
	banner "fuzz: configure and build in build-fuzz/ (in the background)"
	mkdir -p build-fuzz
	(
		t0=$(date +%s)
		renice -n 10 -p "$BASHPID" >/dev/null
		# shellcheck disable=SC2086
		{ build_configure build-fuzz CC=clang --enable-fuzzing \
		    --enable-sanitizers --enable-werror ${CONFIGURE_FLAGS:-} &&
		    build_make build-fuzz; } >build-fuzz/build.out 2>&1
		echo "$? $(($(date +%s) - t0))" >build-fuzz/build.rc
	) &
	fuzz_build_pid=$!
}

# fuzz_build_finish: wait for fuzz_build_start's build; 0 when it built.
fuzz_build_finish() {
	local rc=1 secs=0
	wait "$fuzz_build_pid"
	read -r rc secs <build-fuzz/build.rc
	stage_done "fuzz: configure and build (background)" \
	    $((SECONDS - secs))
	if [ "$rc" -ne 0 ]; then
		tail -n 30 build-fuzz/build.out
		note_fail "fuzz: build"
		failed=$((failed + 1))
		return 1
	fi
}

# fuzz_tests: run the libFuzzer targets built by fuzz_build_start.
fuzz_tests() {
	local dir=build-fuzz out rc targets np nf t0
	banner "fuzz"
	if ! command -v clang >/dev/null; then
		echo "fuzz: clang is not installed; skipped"
		return 0
	fi
	if [ ! -f tests/fuzz/run.sh ]; then
		echo "fuzz: tests/fuzz/run.sh does not exist yet; skipped"
		return 0
	fi
	fuzz_build_finish || return 1
	out=$dir/fuzz.out
	t0=$SECONDS
	sh tests/fuzz/run.sh "$dir" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	targets=$(find "$dir/tests/fuzz" -maxdepth 1 -type f -name 'fuzz_*' \
	    -perm -u+x 2>/dev/null | wc -l)
	# run.sh reports "fuzz: <target> ok" or "fuzz: <target> FAILED"
	# (or missing) per target; without such lines every target counts
	# by the exit status.
	np=$(grep -cE '^fuzz: [^ ]+ ok' "$out")
	nf=$(grep -cE '^fuzz: [^ ]+ (FAILED|missing)' "$out")
	if [ "$np" -eq 0 ] && [ "$nf" -eq 0 ]; then
		if [ "$rc" -eq 0 ]; then
			np=$targets
		else
			nf=$((targets > 0 ? targets : 1))
		fi
	elif [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		nf=1
	fi
	passed=$((passed + np))
	failed=$((failed + nf))
	[ "$rc" -eq 0 ] || note_fail "fuzz (exit $rc)"
	stage_done "fuzz: targets in parallel" "$t0" "$np" "$nf"
}

start=$SECONDS
banner "dependencies"
# shellcheck disable=SC2086
deps_install $DEPS_BUILD $DEPS_TEST || { echo "0 passed, 1 failed"; exit 1; }
stage_done "dependencies" "$start"
build_unconfigure_source
banner "autoreconf"
t0=$SECONDS
build_bootstrap force || { echo "0 passed, 1 failed"; exit 1; }
stage_done "autoreconf" "$t0"

fuzz_build_start
if build_variant default build --enable-werror; then
	unit_tests_start default build
	if [ "$sanitizers" = 1 ]; then
		integration_tests default build -m js_clients
	else
		integration_tests default build
	fi
	unit_tests_finish default build
fi

if [ "$sanitizers" = 1 ]; then
	if build_variant sanitizers build-asan --enable-werror \
	    --enable-sanitizers; then
		export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0}
		export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
		export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-5}
		unit_tests_start sanitizers build-asan
		integration_tests sanitizers build-asan -m 'not js_clients'
		unit_tests_finish sanitizers build-asan
		unset ASAN_OPTIONS UBSAN_OPTIONS CK_TIMEOUT_MULTIPLIER
	fi
fi

if [ "$fuzz" = 1 ]; then
	fuzz_tests
fi

banner "summary ($((SECONDS - start)) s)"
for line in "${stages[@]}"; do
	echo "$line"
done
for f in "${failures[@]}"; do
	echo "failed step: $f"
done
echo "$passed passed, $failed failed"
[ "${#failures[@]}" -eq 0 ] && [ "$failed" -eq 0 ]
