#!/bin/sh
# run.sh BUILD_DIR [SECONDS]: run every fuzz target for a bounded time
# over a copy of its seed corpus, all targets at once (each one's bound
# is wall time, so the run takes SECONDS whatever the number of cores);
# prints one "fuzz: <target> ok" line per clean target and exits non-zero
# if any target found a crash.
set -u
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-${FUZZ_SECONDS:-30}}
here=$(cd "$(dirname "$0")" && pwd)
targets="http api users template forms css saml_metadata saml_response fed console"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT INT TERM

# fuzz_one TARGET: fuzz it over a copy of its corpus, log in
# BUILD_DIR/fuzz_TARGET.log; its exit status lands in $top/TARGET.rc.
fuzz_one() {
	t=$1
	bin="$build/tests/fuzz/fuzz_$t"
	work="$top/$t"
	mkdir -p "$work"
	cp "$here/corpus/$t/"* "$work/" 2>/dev/null
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=0 -artifact_prefix="$work/" "$work" \
	    > "$build/fuzz_$t.log" 2>&1
	echo $? > "$top/$t.rc"
}

fail=0
for t in $targets; do
	if [ -x "$build/tests/fuzz/fuzz_$t" ]; then
		fuzz_one "$t" &
	fi
done
wait
for t in $targets; do
	bin="$build/tests/fuzz/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin missing"
		fail=1
	elif [ "$(cat "$top/$t.rc" 2>/dev/null)" = 0 ]; then
		echo "fuzz: fuzz_$t ok ($secs s)"
	else
		echo "fuzz: fuzz_$t FAILED; log follows"
		tail -40 "$build/fuzz_$t.log"
		fail=1
	fi
done
exit $fail
